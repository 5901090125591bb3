package dev.lstmserve.core;

/**
 * A Keras LSTM layer at inference: Keras' {@code LSTM} with {@code go_backwards} and masking, over the kernels in
 * this package.
 *
 * <p>The weights are packed once, here, into panels of whole units ({@link PackedLstm}). A forward pass
 * ({@link LstmForwardPass}) runs every time step as one register-blocked product {@code h_tm1·recurrent_kernel} per
 * panel ({@link TileKernel}: the Vector API, or a scalar fallback with the same bits) fused with the gate update,
 * the panels split between the cores with a spinning hand-off per step ({@link StepTeam}) when the step's work repays
 * it. The input projection {@code x·kernel} is done ahead of the steps (in blocks of steps) or inside each step,
 * whichever {@link #projectsFirst} picks for the shape. None of these choices changes a bit of the result: every
 * output element is accumulated in the same order whatever the batch holds, the tiling, the threads or the path, so a
 * window gets the same bits alone or batched with others.
 *
 * <p>Immutable and safe for concurrent calls.
 */
public final class LstmLayer {

    /**
     * Multiply-adds per time step from which a step is split across cores: below it, the hand-off costs more than
     * the second core saves (docs/PERFORMANCE.md). Public for the tests that serve models on each side of it.
     */
    public static final long PARALLEL_MIN_STEP_WORK = 1L << 15;

    /**
     * Most chunks a step is split into per thread that works on it. Threads own contiguous ranges of chunks and take
     * the unclaimed ones of a slower thread's range ({@link StepTeam}), so a core that runs slower (this machine's two
     * virtual CPUs differed by up to 25 % within a JVM, measured) no longer sets the pace of every step. Measured
     * (docs/PERFORMANCE.md), 16 chunks against 2 on two threads: S2 −2 to −8 %, S3 −5 to −6 %, S4 −9 %.
     */
    static final int CHUNKS_PER_PARTICIPANT = 8;

    /**
     * Fewest multiply-adds per chunk of a step: below it, claiming a chunk costs more than the balance it buys (S1's
     * 8 panels of 8 192 were 0-9 % slower as 4 or 8 chunks than as 2).
     */
    static final long MIN_CHUNK_WORK = 1L << 16;

    /**
     * Batches of at most this many rows (of windows longer than one step) get their input projection ahead of the
     * steps; larger ones inside each step, where the step's rows share each weight read, unless the weights are large
     * ({@link #FUSED_MAX_WEIGHT_BYTES}), or the step is split with x parts computed ahead ({@link #fusedRunsAhead}).
     * Both give the same bits. Public for the tests that serve batches on each side of it.
     */
    public static final int PROJECTED_MAX_BATCH = 31;

    /**
     * Bytes of kernel and recurrent_kernel above which larger batches get their input projection ahead of the steps
     * too, as long as a projection block holds at least {@link #PROJECTED_MIN_BLOCK_STEPS} steps: a step that
     * multiplies by both streams them from memory at every step (24 MiB at S4 of docs/PERFORMANCE.md), where the
     * projection reads the kernel once per block. Measured at S4 (2026-11-30): 1.03-1.14x ORT's time projected in
     * blocks of 16 steps against 1.14-1.19x fused; at S3 (6 MiB) fused stays faster.
     */
    static final long FUSED_MAX_WEIGHT_BYTES = 16L << 20;

    /**
     * Fewest rows from which a batch {@link #projectsFirst} would project runs fused with x parts computed ahead
     * ({@link #fusedRunsAhead}). Measured (docs/PERFORMANCE.md, E = 128, H = 256, T = 32, interleaved in one JVM):
     * B = 8 (S2) 3-4 % faster fused, B = 16 1 %, B = 4 equal; S1 (B = 1) 9 % slower.
     */
    static final int FUSED_AHEAD_MIN_BATCH = 8;

    /** Most bytes of kernel and recurrent_kernel for {@link #fusedRunsAhead}: each core's half then fits its L2. */
    static final long FUSED_AHEAD_MAX_WEIGHT_BYTES = 2L << 20;

    /**
     * Fewest steps per projection block for which large weights are projected ahead: with fewer, the kernel is read
     * almost as often as fused and zx adds its own traffic. Measured with S4's layer (E = 512, H = 1024): projected
     * 0.91-0.96x fused's time at B = 64 (16 steps per block), 1.06-1.13x at B = 128 to 1024 (8 to 1).
     */
    static final int PROJECTED_MIN_BLOCK_STEPS = 16;

    private final LstmWeights weights;
    private final Activation activation;
    private final Activation recurrentActivation;
    private final boolean goBackwards;
    private final TileKernel.Gates gates;
    private final PackedLstm packed;
    private final EngineOptions options;

    /**
     * @param activation          Keras {@code activation} (for the candidate c and for h)
     * @param recurrentActivation Keras {@code recurrent_activation} (for the gates i, f, o)
     * @param goBackwards         process the steps last to first; outputs come back in that order, as in Keras
     */
    public LstmLayer(LstmWeights weights, Activation activation, Activation recurrentActivation, boolean goBackwards) {
        this(weights, activation, recurrentActivation, goBackwards, EngineOptions.AUTO);
    }

    /** A layer whose kernel, path or threading is forced: tests prove each gives the same bits as the automatic one. */
    LstmLayer(LstmWeights weights, Activation activation, Activation recurrentActivation, boolean goBackwards,
              EngineOptions options) {
        this.weights = weights;
        this.activation = activation;
        this.recurrentActivation = recurrentActivation;
        this.goBackwards = goBackwards;
        this.gates = TileKernel.Gates.of(activation, recurrentActivation);
        this.packed = PackedLstm.of(weights, Kernels.lanes());
        this.options = options;
    }

    /** The same layer with other engine options. */
    LstmLayer with(EngineOptions other) {
        return new LstmLayer(weights, activation, recurrentActivation, goBackwards, other);
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
        int steps = inputs[0] == null ? 0 : inputs[0].length;
        if (steps == 0) {
            throw new IllegalArgumentException("inputs[0] is empty; expected at least one time step");
        }
        checkInputs(inputs, steps, inputSize);
        checkMask(mask, batch, steps);
        LstmState state = initialState == null ? LstmState.zeros(batch, units) : initialState.forBatch(batch, units);

        TileKernel kernel = options.kernel() != null ? options.kernel() : Kernels.active();
        long weightBytes = 4L * (inputSize + units) * 4L * units;
        int panels = packed.panels();
        long stepFloats = (long) batch * panels * packed.width();
        // Multiply-adds of one step: h_tm1·recurrent_kernel, and x_t·kernel too when fused.
        long fusedStepWork = (long) batch * (units + inputSize) * 4L * units;
        boolean projected = options.projected() != null ? options.projected()
                : projectsFirst(batch, steps, 4L * inputSize * 4L * units, weightBytes, stepFloats)
                && !fusedRunsAhead(batch, fusedStepWork, panels, weightBytes, stepFloats);
        long stepWork = projected ? (long) batch * units * 4L * units : fusedStepWork;
        int chunks = options.chunks() != null ? Math.max(1, Math.min(panels, options.chunks()))
                : stepChunks(stepWork, panels);
        if (kernel.lanes != packed.lanes()) {
            throw new IllegalStateException("kernel of " + kernel.lanes + " lanes for weights packed for "
                    + packed.lanes());
        }
        LstmForwardPass pass = new LstmForwardPass(kernel, packed, gates, goBackwards, inputs, mask, state, projected,
                chunks, options.projectionSteps() != null ? options.projectionSteps() : 0,
                options.ahead() == null || options.ahead());
        StepTeam.run(pass.teamSteps(), chunks, chunks - 1, pass);
        return pass.result();
    }

    /**
     * Whether a batch that {@link #projectsFirst} would project is run fused instead, because its steps are split
     * across threads and a thread waiting at a step's end computes its next x parts ahead
     * ({@link LstmForwardPass#ahead}): from {@link #FUSED_AHEAD_MIN_BATCH} rows, while both steps' z fit the ahead
     * buffers and kernel and recurrent_kernel fit the cores' L2 ({@link #FUSED_AHEAD_MAX_WEIGHT_BYTES}), which a fused
     * step reads at every step. Both paths give the same bits.
     *
     * @param fusedStepWork multiply-adds of one fused step, B·(H + E)·4H
     * @param panels        the layer's panels of units, which bound its chunks
     */
    static boolean fusedRunsAhead(int batch, long fusedStepWork, int panels, long weightBytes, long stepFloats) {
        return batch >= FUSED_AHEAD_MIN_BATCH && weightBytes <= FUSED_AHEAD_MAX_WEIGHT_BYTES
                && LstmForwardPass.runsAhead(stepChunks(fusedStepWork, panels), stepFloats);
    }

    /**
     * Chunks a step of {@code stepWork} multiply-adds is split into: 1 below {@link #PARALLEL_MIN_STEP_WORK} or on one
     * core, else one per thread at least and up to {@link #CHUNKS_PER_PARTICIPANT} per thread of at least
     * {@link #MIN_CHUNK_WORK} each, never more than the layer's panels.
     */
    static int stepChunks(long stepWork, int panels) {
        int participants = StepTeam.maxParticipants();
        if (participants <= 1 || stepWork < PARALLEL_MIN_STEP_WORK) {
            return 1;
        }
        long byWork = Math.max(participants, stepWork / MIN_CHUNK_WORK);
        return (int) Math.min(panels, Math.min(byWork, (long) participants * CHUNKS_PER_PARTICIPANT));
    }

    /**
     * Whether the input projection is computed ahead of the time steps (else inside each step). Both give the same
     * bits; this is only about speed, measured in docs/PERFORMANCE.md.
     *
     * @param kernelBytes bytes of the kernel, which sizes the projection blocks ({@link LstmForwardPass#blockFloats})
     * @param weightBytes bytes of kernel and recurrent_kernel, which a fused step reads
     * @param stepFloats  floats of one step's projection, B·4H (padded to whole panels)
     */
    static boolean projectsFirst(int batch, int steps, long kernelBytes, long weightBytes, long stepFloats) {
        return steps > 1 && (batch <= PROJECTED_MAX_BATCH || weightBytes > FUSED_MAX_WEIGHT_BYTES
                && stepFloats * PROJECTED_MIN_BLOCK_STEPS <= LstmForwardPass.blockFloats(kernelBytes));
    }

    private static void checkInputs(float[][][] inputs, int steps, int inputSize) {
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
            }
        }
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
