package dev.lstmserve.core;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A layer's kernel held off-heap by ND4J, for the one GEMM per request that projects every input step at once.
 * Only this class touches ND4J, so a model that never needs the GEMM never loads the natives.
 */
final class Nd4jKernel {

    private final INDArray kernel;
    private final int inputSize;
    private final int gates;

    /** @param weights the layer's weights; {@code kernel [E][4H]} is copied off-heap once */
    Nd4jKernel(LstmWeights weights) {
        this.inputSize = weights.inputSize();
        this.gates = 4 * weights.units();
        this.kernel = Nd4j.create(Shapes.flatten("kernel", weights.kernelRows(), gates),
                new long[] {inputSize, gates}, 'c');
    }

    /**
     * @param x     inputs, row-major and time-major {@code [T][B][E]}
     * @param batch B
     * @param steps T
     * @param bias  {@code [4H]} or {@code null}
     * @return {@code [T*B][4H]} time-major: {@code x · kernel + bias}
     */
    float[][] project(float[] x, int batch, int steps, float[] bias) {
        // One GEMM per window, not one for the batch: BLAS rounds a row differently with the number of rows it is
        // given and the row's place among them (measured with ND4J's OpenBLAS: from 8 rows up, last-bit differences),
        // so a window batched with others would not get the bits it gets alone. A window's T rows are always the
        // same GEMM.
        float[][] out = new float[steps * batch][];
        float[] window = new float[steps * inputSize];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                System.arraycopy(x, (t * batch + b) * inputSize, window, t * inputSize, inputSize);
            }
            try (INDArray xs = Nd4j.create(window, new long[] {steps, inputSize}, 'c');
                 INDArray zx = Nd4j.createUninitialized(DataType.FLOAT, steps, gates)) {
                xs.mmul(kernel, zx);
                float[] flat = zx.data().asFloat();
                for (int t = 0; t < steps; t++) {
                    float[] row = new float[gates];
                    System.arraycopy(flat, t * gates, row, 0, gates);
                    if (bias != null) {
                        for (int j = 0; j < gates; j++) {
                            row[j] += bias[j];
                        }
                    }
                    out[t * batch + b] = row;
                }
            }
        }
        return out;
    }
}
