package dev.lstmserve.core;

/**
 * A Keras LSTM layer at inference: the time loop over {@link LstmCell}, with Keras' {@code go_backwards} and masking.
 *
 * <p>All time steps' input projections are computed before the loop in one pass ({@link InputProjection}); the loop
 * itself adds {@code h_tm1·recurrent_kernel} and applies the gates in plain Java, because ND4J's per-call cost
 * (20–90 µs) would dominate such small products. Each output element is accumulated in the same order whatever the
 * batch holds, so a window gets the same bits alone or batched with others.
 *
 * <p>Immutable and safe for concurrent calls.
 */
public final class LstmLayer {

    private final LstmWeights weights;
    private final Activation activation;
    private final Activation recurrentActivation;
    private final boolean goBackwards;
    private final InputProjection projection;
    private volatile Nd4jKernel nd4jKernel;

    /**
     * @param activation          Keras {@code activation} (for the candidate c and for h)
     * @param recurrentActivation Keras {@code recurrent_activation} (for the gates i, f, o)
     * @param goBackwards         process the steps last to first; outputs come back in that order, as in Keras
     */
    public LstmLayer(LstmWeights weights, Activation activation, Activation recurrentActivation, boolean goBackwards) {
        this(weights, activation, recurrentActivation, goBackwards, InputProjection.AUTO);
    }

    public LstmLayer(LstmWeights weights, Activation activation, Activation recurrentActivation, boolean goBackwards,
                     InputProjection projection) {
        this.weights = weights;
        this.activation = activation;
        this.recurrentActivation = recurrentActivation;
        this.goBackwards = goBackwards;
        this.projection = projection.resolve(weights.inputSize(), weights.units());
    }

    public LstmWeights weights() {
        return weights;
    }

    public Activation activation() {
        return activation;
    }

    public Activation recurrentActivation() {
        return recurrentActivation;
    }

    public boolean goBackwards() {
        return goBackwards;
    }

    /** The input projection this layer uses (never AUTO). */
    public InputProjection projection() {
        return projection;
    }

    /** {@link #forward(float[][][], boolean[][], LstmState)} without a mask. */
    public LstmResult forward(float[][][] inputs, LstmState initialState) {
        return forward(inputs, null, initialState);
    }

    /**
     * Runs the layer over a batch of windows.
     *
     * @param inputs       {@code [B][T][E]}, B ≥ 1, T ≥ 1, every window the same length
     * @param mask         {@code [B][T]}, {@code false} where a step is masked (Keras: keeps h and c and repeats the
     *                     previous output, zeros before the first unmasked step); {@code null} for no mask
     * @param initialState {@code h, c [B][H]} or {@code [1][H]} (broadcast); {@code null} for zeros
     * @return {@code outputs [B][T][H]} in processing order (reversed time under go_backwards) and the final
     *         {@code h, c [B][H]}
     * @throws IllegalArgumentException naming the input whose shape does not fit
     */
    public LstmResult forward(float[][][] inputs, boolean[][] mask, LstmState initialState) {
        int batch = inputs.length;
        int units = weights.units();
        int inputSize = weights.inputSize();
        int gates = 4 * units;
        if (batch == 0) {
            throw new IllegalArgumentException("inputs is empty; expected [batch][time][" + inputSize + "]");
        }
        int steps = inputs[0].length;
        if (steps == 0) {
            throw new IllegalArgumentException("inputs[0] is empty; expected at least one time step");
        }
        float[] x = flattenInputs(inputs, steps, inputSize);
        checkMask(mask, batch, steps);
        LstmState state = initialState == null ? LstmState.zeros(batch, units) : initialState.forBatch(batch, units);

        float[] zx = project(x, batch * steps);
        float[] h = Shapes.flatten("initial_state.h", state.h(), units);
        float[] c = Shapes.flatten("initial_state.c", state.c(), units);
        float[] z = new float[batch * gates];
        float[] recurrentKernel = weights.recurrentKernelData();
        boolean[] emitted = new boolean[batch];
        float[][][] outputs = new float[batch][steps][];

        for (int s = 0; s < steps; s++) {
            int t = goBackwards ? steps - 1 - s : s;
            for (int b = 0; b < batch; b++) {
                System.arraycopy(zx, (b * steps + t) * gates, z, b * gates, gates);
                int zRow = b * gates;
                int hRow = b * units;
                for (int k = 0; k < units; k++) {
                    float hk = h[hRow + k];
                    int w = k * gates;
                    for (int j = 0; j < gates; j++) {
                        z[zRow + j] += hk * recurrentKernel[w + j];
                    }
                }
            }
            for (int b = 0; b < batch; b++) {
                if (mask == null || mask[b][t]) {
                    LstmCell.step(z, b * gates, c, h, b * units, units, activation, recurrentActivation);
                    emitted[b] = true;
                }
                float[] out = new float[units];
                if (emitted[b]) {
                    System.arraycopy(h, b * units, out, 0, units);
                }
                outputs[b][s] = out;
            }
        }
        return new LstmResult(outputs, new LstmState(Shapes.unflatten(h, batch, units), Shapes.unflatten(c, batch, units)));
    }

    private float[] project(float[] x, int rows) {
        if (projection == InputProjection.JAVA) {
            return InputProjection.projectJava(x, rows, weights);
        }
        Nd4jKernel kernel = nd4jKernel;
        if (kernel == null) {
            synchronized (this) {
                if (nd4jKernel == null) {
                    nd4jKernel = new Nd4jKernel(weights);
                }
                kernel = nd4jKernel;
            }
        }
        return kernel.project(x, rows, weights.biasData());
    }

    private static float[] flattenInputs(float[][][] inputs, int steps, int inputSize) {
        float[] x = new float[inputs.length * steps * inputSize];
        for (int b = 0; b < inputs.length; b++) {
            if (inputs[b] == null || inputs[b].length != steps) {
                throw new IllegalArgumentException("inputs[" + b + "] has " + (inputs[b] == null ? 0 : inputs[b].length)
                        + " time steps; expected " + steps + " like inputs[0]");
            }
            for (int t = 0; t < steps; t++) {
                float[] step = inputs[b][t];
                if (step == null || step.length != inputSize) {
                    throw new IllegalArgumentException("inputs[" + b + "][" + t + "] has "
                            + (step == null ? 0 : step.length) + " features; expected " + inputSize);
                }
                System.arraycopy(step, 0, x, (b * steps + t) * inputSize, inputSize);
            }
        }
        return x;
    }

    private static void checkMask(boolean[][] mask, int batch, int steps) {
        if (mask == null) {
            return;
        }
        if (mask.length != batch) {
            throw new IllegalArgumentException("mask has " + mask.length + " rows; expected " + batch);
        }
        for (int b = 0; b < batch; b++) {
            if (mask[b].length != steps) {
                throw new IllegalArgumentException("mask[" + b + "] has " + mask[b].length + " steps; expected " + steps);
            }
        }
    }
}
