package dev.lstmserve.core;

import java.util.Random;

/** Random weights, inputs and states for the kernel tests: uniform in [−0.5, 0.5], from the caller's seed. */
final class RandomData {

    private RandomData() {
    }

    static float[][] matrix(Random random, int rows, int columns) {
        return LstmLayerTests.randomMatrix(random, rows, columns);
    }

    /** {@code [batch][steps][inputSize]} */
    static float[][][] inputs(Random random, int batch, int steps, int inputSize) {
        float[][][] out = new float[batch][][];
        for (int b = 0; b < batch; b++) {
            out[b] = matrix(random, steps, inputSize);
        }
        return out;
    }

    /** Keras-layout weights, bias included; the kernel scaled by 1/√E so that gates neither saturate nor vanish. */
    static LstmWeights weights(Random random, int inputSize, int units) {
        float[][] kernel = matrix(random, inputSize, 4 * units);
        float scale = (float) Math.sqrt(1.0 / inputSize);
        for (float[] row : kernel) {
            for (int j = 0; j < row.length; j++) {
                row[j] *= scale;
            }
        }
        return LstmWeights.of(kernel, matrix(random, units, 4 * units), matrix(random, 1, 4 * units)[0]);
    }

    /**
     * {@link #weights(Random, int, int)} for an activation whose values grow without bound over steps in float32
     * (exponential, squareplus: exp(c) or gates above 1 let c and h grow step by step): all weights scaled by 1/10 (exponential) or 1/4, so
     * that the values stay where float32 can follow the float64 equations. With the usual weights, float32 (here as in
     * Keras) overflows to inf or NaN, or parts from float64 by far more than the tolerance (measured: 4.5e-4
     * relative at 2.8e30 for exponential as activation; 1.7e-6 over the tolerance for squareplus as
     * recurrent_activation).
     */
    static LstmWeights weightsFor(Activation activation, Random random, int inputSize, int units) {
        LstmWeights weights = weights(random, inputSize, units);
        if (activation != Activation.EXPONENTIAL && activation != Activation.SQUAREPLUS) {
            return weights;
        }
        float factor = activation == Activation.EXPONENTIAL ? 0.1f : 0.25f;
        float[][] k = copy(weights.kernelRows());
        float[][] r = copy(weights.recurrentKernelRows());
        float[][] bias = {weights.biasData().clone()};
        scale(k, factor);
        scale(r, factor);
        scale(bias, factor);
        return LstmWeights.of(k, r, bias[0]);
    }

    /** Multiplies every value of {@code matrix} by {@code factor}, in place. */
    static void scale(float[][] matrix, float factor) {
        for (float[] row : matrix) {
            for (int j = 0; j < row.length; j++) {
                row[j] *= factor;
            }
        }
    }

    /** A copy of {@code rows}, row by row. */
    static float[][] copy(float[][] rows) {
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = rows[i].clone();
        }
        return out;
    }

    /**
     * The largest {@code |fast − ref| − (atol + rtol·|ref|)} over outputs, h and c: ≤ 0 when numpy's allclose would
     * pass.
     */
    static double allcloseExcess(LstmResult fast, LstmReference.Result ref, double rtol, double atol) {
        double worst = Double.NEGATIVE_INFINITY;
        for (int b = 0; b < fast.outputs().length; b++) {
            worst = Math.max(worst, excess(fast.outputs()[b], ref.outputs()[b], rtol, atol));
        }
        worst = Math.max(worst, excess(fast.state().h(), ref.h(), rtol, atol));
        return Math.max(worst, excess(fast.state().c(), ref.c(), rtol, atol));
    }

    private static double excess(float[][] fast, double[][] ref, double rtol, double atol) {
        double worst = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < fast.length; i++) {
            for (int j = 0; j < fast[i].length; j++) {
                double e = LstmKernelCheck.overflowsAlike(fast[i][j], ref[i][j]) ? Double.NEGATIVE_INFINITY
                        : Math.abs(fast[i][j] - ref[i][j]) - (atol + rtol * Math.abs(ref[i][j]));
                worst = Math.max(worst, Double.isNaN(e) ? Double.POSITIVE_INFINITY : e);
            }
        }
        return worst;
    }
}
