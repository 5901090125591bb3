package dev.lstmserve.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

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

    /** Multiply-adds in the time loop from which a batch is split across cores (~1 ms of work). */
    public static final long PARALLEL_MIN_WORK = 1L << 22;

    /** Rows from which a batch is split across cores. */
    public static final int PARALLEL_MIN_BATCH = 8;

    /**
     * System property that overrides the core count the batch split assumes, read on each call that may split: tests
     * set it to force the split whatever the machine (a value below 2 turns the split off). Not under {@code lstm.},
     * where the strict configuration binding would refuse it as an unknown setting.
     */
    public static final String CORES_PROPERTY = "dev.lstmserve.engine.cores";

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
        this.projection = projection;
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

    /** The input projection this layer uses for windows of {@code steps} steps (never AUTO). */
    public InputProjection projectionFor(int steps) {
        return projection.resolve(weights.inputSize(), weights.units(), steps);
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
        if (batch == 0) {
            throw new IllegalArgumentException("inputs is empty; expected [batch][time][" + inputSize + "]");
        }
        int steps = inputs[0].length;
        if (steps == 0) {
            throw new IllegalArgumentException("inputs[0] is empty; expected at least one time step");
        }
        float[] x = timeMajor(inputs, steps, inputSize);
        checkMask(mask, batch, steps);
        LstmState state = initialState == null ? LstmState.zeros(batch, units) : initialState.forBatch(batch, units);

        Sequence run = new Sequence(project(x, batch, steps), batch, steps, mask,
                Shapes.flatten("initial_state.h", state.h(), units), Shapes.flatten("initial_state.c", state.c(), units));
        int chunks = chunks(batch, steps);
        if (chunks == 1) {
            run.rows(0, batch);
        } else {
            // Rows are independent, so batch slices run in parallel; the bits do not depend on the slicing.
            int size = ((batch + chunks - 1) / chunks + 3) / 4 * 4;
            List<ForkJoinTask<?>> others = new ArrayList<>();
            for (int from = size; from < batch; from += size) {
                int start = from;
                int end = Math.min(batch, from + size);
                others.add(ForkJoinPool.commonPool().submit(() -> run.rows(start, end)));
            }
            run.rows(0, Math.min(batch, size));
            others.forEach(ForkJoinTask::join);
        }
        return new LstmResult(run.outputs,
                new LstmState(Shapes.unflatten(run.h, batch, units), Shapes.unflatten(run.c, batch, units)));
    }

    /** How many slices of the batch to run in parallel: one unless the work (in multiply-adds) repays a thread. */
    int chunks(int batch, int steps) {
        long work = (long) batch * steps * weights.units() * 4L * weights.units();
        if (batch < PARALLEL_MIN_BATCH || work < PARALLEL_MIN_WORK) {
            return 1;
        }
        int cores = Integer.getInteger(CORES_PROPERTY, Runtime.getRuntime().availableProcessors());
        return cores < 2 ? 1 : Math.min(cores, batch / 4);
    }

    /** One forward pass's arrays: {@code zx [T*B][4H]} time-major, {@code h, c [B*H]}, {@code outputs [B][T][H]}. */
    private final class Sequence {

        private final float[][] zx;
        private final int batch;
        private final int steps;
        private final boolean[][] mask;
        private final float[] h;
        private final float[] c;
        private final float[][][] outputs;

        Sequence(float[][] zx, int batch, int steps, boolean[][] mask, float[] h, float[] c) {
            this.zx = zx;
            this.batch = batch;
            this.steps = steps;
            this.mask = mask;
            this.h = h;
            this.c = c;
            this.outputs = new float[batch][steps][];
        }

        /** The time loop for batch rows {@code [from, to)}; touches only those rows' state. */
        void rows(int from, int to) {
            int units = weights.units();
            float[][] recurrentKernel = weights.recurrentKernelRows();
            boolean[] emitted = new boolean[to - from];
            for (int s = 0; s < steps; s++) {
                int t = goBackwards ? steps - 1 - s : s;
                // zx rows of step t, batch rows [from, to), become z = x_t·kernel + bias + h_tm1·recurrent_kernel.
                MatMul.accumulate(h, from, to - from, recurrentKernel, zx, t * batch + from);
                for (int b = from; b < to; b++) {
                    if (mask == null || mask[b][t]) {
                        LstmCell.step(zx[t * batch + b], 0, c, h, b * units, units, activation, recurrentActivation);
                        emitted[b - from] = true;
                    }
                    float[] out = new float[units];
                    if (emitted[b - from]) {
                        System.arraycopy(h, b * units, out, 0, units);
                    }
                    outputs[b][s] = out;
                }
            }
        }
    }

    private float[][] project(float[] x, int batch, int steps) {
        if (projectionFor(steps) == InputProjection.JAVA) {
            return InputProjection.projectJava(x, steps * batch, weights);
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
        return kernel.project(x, batch, steps, weights.biasData());
    }

    /** {@code inputs [B][T][E]} as one time-major array {@code [T][B][E]}, checking every shape. */
    private static float[] timeMajor(float[][][] inputs, int steps, int inputSize) {
        int batch = inputs.length;
        float[] x = new float[batch * steps * inputSize];
        for (int b = 0; b < batch; b++) {
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
                System.arraycopy(step, 0, x, (t * batch + b) * inputSize, inputSize);
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
