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
        this.kernel = Nd4j.create(weights.kernelData(), new long[] {inputSize, gates}, 'c');
    }

    /**
     * @param x    inputs, row-major {@code [rows][E]}
     * @param bias {@code [4H]} or {@code null}
     * @return {@code [rows][4H]}: {@code x · kernel + bias}
     */
    float[][] project(float[] x, int rows, float[] bias) {
        try (INDArray xs = Nd4j.create(x, new long[] {rows, inputSize}, 'c');
             INDArray zx = Nd4j.createUninitialized(DataType.FLOAT, rows, gates)) {
            xs.mmul(kernel, zx);
            float[] flat = zx.data().asFloat();
            float[][] out = new float[rows][gates];
            for (int r = 0; r < rows; r++) {
                float[] row = out[r];
                System.arraycopy(flat, r * gates, row, 0, gates);
                if (bias != null) {
                    for (int j = 0; j < gates; j++) {
                        row[j] += bias[j];
                    }
                }
            }
            return out;
        }
    }
}
