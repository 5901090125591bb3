package dev.lstmserve.core;

/**
 * Keras' LSTM equations in float64 with plain loops: the yardstick the fast kernels are checked against, in tests
 * and at start-up ({@link LstmKernelCheck}). No tricks: no packing, no blocking, no threads, activations in double.
 *
 * <pre>
 *   z = x_t·kernel + h_tm1·recurrent_kernel + bias          ([4H], blocks i, f, c, o)
 *   i = recurrent_activation(z_i)   f = recurrent_activation(z_f)   o = recurrent_activation(z_o)
 *   c = f * c_tm1 + i * activation(z_c)
 *   h = o * activation(c)
 * </pre>
 *
 * Same semantics as {@link LstmLayer#forward(float[][][], boolean[][], LstmState)} (keras
 * {@code src/layers/rnn/lstm.py}, {@code rnn.py}): {@code go_backwards} processes the steps last to first and returns
 * the outputs in that order; a masked step keeps h and c and repeats the previous output (zeros before the first
 * unmasked step); the initial state is {@code [B][H]} or {@code [1][H]}.
 */
public final class LstmReference {

    private final LstmWeights weights;
    private final Activation activation;
    private final Activation recurrentActivation;
    private final boolean goBackwards;

    public LstmReference(LstmWeights weights, Activation activation, Activation recurrentActivation,
                         boolean goBackwards) {
        this.weights = weights;
        this.activation = activation;
        this.recurrentActivation = recurrentActivation;
        this.goBackwards = goBackwards;
    }

    /** The reference for the same layer. */
    public static LstmReference of(LstmLayer layer) {
        return new LstmReference(layer.weights(), layer.activation(), layer.recurrentActivation(),
                layer.goBackwards());
    }

    /**
     * What the layer computes, in float64.
     *
     * @param outputs {@code [B][T][H]} in processing order
     * @param h       final {@code [B][H]}
     * @param c       final {@code [B][H]}
     */
    public record Result(double[][][] outputs, double[][] h, double[][] c) {
    }

    /**
     * @param inputs       {@code [B][T][E]}
     * @param mask         {@code [B][T]} or {@code null}
     * @param initialState {@code h, c [B][H]} or {@code [1][H]}; {@code null} for zeros
     */
    public Result forward(float[][][] inputs, boolean[][] mask, LstmState initialState) {
        int batch = inputs.length;
        int steps = inputs[0].length;
        int inputSize = weights.inputSize();
        int units = weights.units();
        float[][] kernel = weights.kernelRows();
        float[][] recurrentKernel = weights.recurrentKernelRows();
        float[] bias = weights.biasData();
        LstmState state = initialState == null ? LstmState.zeros(batch, units) : initialState.forBatch(batch, units);

        double[][][] outputs = new double[batch][steps][units];
        double[][] hs = new double[batch][units];
        double[][] cs = new double[batch][units];
        for (int b = 0; b < batch; b++) {
            double[] h = hs[b];
            double[] c = cs[b];
            for (int j = 0; j < units; j++) {
                h[j] = state.h()[b][j];
                c[j] = state.c()[b][j];
            }
            boolean emitted = false;
            double[] z = new double[4 * units];
            for (int s = 0; s < steps; s++) {
                int t = goBackwards ? steps - 1 - s : s;
                if (mask == null || mask[b][t]) {
                    float[] x = inputs[b][t];
                    // Row by row of the weights (each z[g] still summed over e, then k, in order): column walks
                    // would make the S4 benchmark shape's reference take minutes.
                    for (int g = 0; g < 4 * units; g++) {
                        z[g] = bias == null ? 0.0 : bias[g];
                    }
                    for (int e = 0; e < inputSize; e++) {
                        double xe = x[e];
                        float[] row = kernel[e];
                        for (int g = 0; g < 4 * units; g++) {
                            z[g] += xe * row[g];
                        }
                    }
                    for (int k = 0; k < units; k++) {
                        double hk = h[k];
                        float[] row = recurrentKernel[k];
                        for (int g = 0; g < 4 * units; g++) {
                            z[g] += hk * row[g];
                        }
                    }
                    for (int j = 0; j < units; j++) {
                        double i = apply(recurrentActivation, z[j]);
                        double f = apply(recurrentActivation, z[units + j]);
                        double candidate = apply(activation, z[2 * units + j]);
                        double o = apply(recurrentActivation, z[3 * units + j]);
                        c[j] = f * c[j] + i * candidate;
                        h[j] = o * apply(activation, c[j]);
                    }
                    emitted = true;
                }
                if (emitted) {
                    System.arraycopy(h, 0, outputs[b][s], 0, units);
                }
            }
        }
        return new Result(outputs, hs, cs);
    }

    /**
     * The activation in double, as keras {@code src/activations/activations.py} defines it (every element-wise one;
     * the switch is exhaustive, so a new {@link Activation} must be added here).
     *
     * @throws IllegalArgumentException for softmax and log_softmax, which are not element-wise
     */
    static double apply(Activation activation, double x) {
        return switch (activation) {
            case TANH -> Math.tanh(x);
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-x));
            case HARD_SIGMOID_KERAS2 -> Math.max(0.0, Math.min(1.0, 0.2 * x + 0.5));
            case HARD_SIGMOID_KERAS3 -> Math.max(0.0, Math.min(1.0, x / 6.0 + 0.5));
            case RELU -> Math.max(x, 0.0);
            case LINEAR -> x;
            case SOFTSIGN -> x / (1.0 + Math.abs(x));
            case ELU -> x > 0 ? x : Math.expm1(x);
            case SWISH -> x / (1.0 + Math.exp(-x));
            case SOFTPLUS -> Activation.softplus(x);
            case SELU -> x > 0 ? 1.05070098735548049342 * x
                    : 1.05070098735548049342 * 1.67326324235437728481 * Math.expm1(x);
            case SILU -> x / (1.0 + Math.exp(-x));
            case EXPONENTIAL -> Math.exp(x);
            case RELU6 -> Math.min(Math.max(x, 0.0), 6.0);
            case LEAKY_RELU -> x >= 0 ? x : 0.2 * x;
            case GELU -> 0.5 * x * (1.0 + org.apache.commons.math3.special.Erf.erf(x / Math.sqrt(2.0)));
            case CELU -> x > 0 ? x : Math.expm1(x);
            case MISH -> x * Math.tanh(Activation.softplus(x));
            case LOG_SIGMOID -> -Activation.softplus(-x);
            case HARD_SILU, HARD_SWISH -> x * Math.min(Math.max(x + 3.0, 0.0), 6.0) / 6.0;
            case HARD_TANH -> Math.max(-1.0, Math.min(1.0, x));
            case TANH_SHRINK -> x - Math.tanh(x);
            case HARD_SHRINK -> Math.abs(x) > 0.5 ? x : 0.0;
            case SOFT_SHRINK -> x > 0.5 ? x - 0.5 : x < -0.5 ? x + 0.5 : 0.0;
            case SPARSE_PLUS -> x <= -1 ? 0.0 : x >= 1 ? x : (x + 1.0) * (x + 1.0) / 4.0;
            case SPARSE_SIGMOID -> x <= -1 ? 0.0 : x >= 1 ? 1.0 : (x + 1.0) / 2.0;
            case SQUAREPLUS -> (x + Math.sqrt(x * x + 4.0)) / 2.0;
            case SOFTMAX, LOG_SOFTMAX -> throw new IllegalArgumentException(activation.kerasName()
                    + " is not element-wise: Keras' LSTM cannot use it here (refused at load)");
        };
    }

    /**
     * The largest |fast − reference| over outputs, h and c.
     *
     * @throws IllegalArgumentException when the shapes differ
     */
    public static double maxAbsDifference(LstmResult fast, Result reference) {
        double max = 0;
        float[][][] outputs = fast.outputs();
        if (outputs.length != reference.outputs().length) {
            throw new IllegalArgumentException("batch " + outputs.length + " vs " + reference.outputs().length);
        }
        for (int b = 0; b < outputs.length; b++) {
            max = Math.max(max, maxAbsDifference(outputs[b], reference.outputs()[b]));
        }
        max = Math.max(max, maxAbsDifference(fast.state().h(), reference.h()));
        return Math.max(max, maxAbsDifference(fast.state().c(), reference.c()));
    }

    private static double maxAbsDifference(float[][] fast, double[][] reference) {
        if (fast.length != reference.length) {
            throw new IllegalArgumentException("rows " + fast.length + " vs " + reference.length);
        }
        double max = 0;
        for (int i = 0; i < fast.length; i++) {
            if (fast[i].length != reference[i].length) {
                throw new IllegalArgumentException("row of " + fast[i].length + " vs " + reference[i].length);
            }
            for (int j = 0; j < fast[i].length; j++) {
                double d = Math.abs(fast[i][j] - reference[i][j]);
                // NaN must not hide behind Math.max's comparison.
                max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(max, d);
            }
        }
        return max;
    }
}
