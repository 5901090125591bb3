package dev.lstmserve.bench;

import dev.lstmserve.core.LstmResult;
import dev.lstmserve.core.LstmState;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The baseline the seed used: an ND4J LSTM with ND4J ops inside the time loop. Per step
 * {@code z = x_t·kernel + h_tm1·recurrent_kernel + bias}, then the gates with ND4J {@link Transforms}, about a dozen
 * native calls per step, each paying ND4J's fixed per-op cost. Kept only to measure what moving ND4J out of the step
 * loop bought (docs/PERFORMANCE.md).
 */
final class Nd4jPerStepLstm {

    private final int units;
    private final INDArray kernel;
    private final INDArray recurrentKernel;
    private final INDArray bias;

    Nd4jPerStepLstm(LstmProblem problem) {
        this.units = problem.units();
        this.kernel = Nd4j.create(problem.kernel());
        this.recurrentKernel = Nd4j.create(problem.recurrentKernel());
        this.bias = Nd4j.create(problem.bias(), new long[] {1, 4L * units}, 'c');
    }

    /**
     * @param inputs {@code [B][T][E]}
     * @return {@code outputs [B][T][H]} and the final {@code h, c [B][H]}
     */
    LstmResult forward(float[][][] inputs) {
        int batch = inputs.length;
        int steps = inputs[0].length;
        int h = units;
        INDArray x = Nd4j.create(inputs);
        INDArray hTm1 = Nd4j.zeros(DataType.FLOAT, batch, h);
        INDArray cTm1 = Nd4j.zeros(DataType.FLOAT, batch, h);
        float[][][] outputs = new float[batch][steps][];
        for (int t = 0; t < steps; t++) {
            INDArray xt = x.get(NDArrayIndex.all(), NDArrayIndex.point(t), NDArrayIndex.all());
            INDArray z = xt.mmul(kernel).addi(hTm1.mmul(recurrentKernel)).addiRowVector(bias);
            INDArray i = Transforms.sigmoid(z.get(NDArrayIndex.all(), NDArrayIndex.interval(0, h)), true);
            INDArray f = Transforms.sigmoid(z.get(NDArrayIndex.all(), NDArrayIndex.interval(h, 2 * h)), true);
            INDArray g = Transforms.tanh(z.get(NDArrayIndex.all(), NDArrayIndex.interval(2 * h, 3 * h)), true);
            INDArray o = Transforms.sigmoid(z.get(NDArrayIndex.all(), NDArrayIndex.interval(3 * h, 4 * h)), true);
            cTm1 = f.mul(cTm1).addi(i.mul(g));
            hTm1 = o.mul(Transforms.tanh(cTm1, true));
            float[][] hRows = hTm1.toFloatMatrix();
            for (int b = 0; b < batch; b++) {
                outputs[b][t] = hRows[b];
            }
        }
        return new LstmResult(outputs, new LstmState(hTm1.toFloatMatrix(), cTm1.toFloatMatrix()));
    }
}
