package dev.lstmserve.core;

/**
 * How an {@link LstmLayer} runs, for tests and measurements; {@link #AUTO} everywhere else. None of these changes a
 * result's bits, which is what the tests that force them prove.
 *
 * @param kernel         the kernel, or {@code null} for {@link Kernels#active()}
 * @param projected      {@code true}: the input projection ahead of the time steps (in blocks); {@code false}: inside
 *                       each step; {@code null}: {@link LstmLayer#projectsFirst} decides by shape
 * @param chunks         how many chunks (ranges of whole units) each step is split into, shared by the caller and
 *                       every helper thread it gets, at most one per panel: 1 runs on the calling thread alone,
 *                       {@link Integer#MAX_VALUE} splits every step as finely as possible however small;
 *                       {@code null}: by the step's work ({@link LstmLayer#PARALLEL_MIN_STEP_WORK})
 * @param projectionSteps when projected, how many time steps each projection block covers; {@code null}: as many as
 *                       fit in {@link LstmForwardPass#ZX_BLOCK_FLOATS} (a small kernel) or
 *                       {@link LstmForwardPass#ZX_MAX_FLOATS}
 * @param ahead          fused and split steps: {@code false} keeps threads that wait at a step's end from computing
 *                       their next x parts ahead ({@link LstmForwardPass#ahead}), to measure what that gains;
 *                       {@code null}: ahead when the two steps' z fit in {@link LstmForwardPass#AHEAD_MAX_FLOATS}
 */
record EngineOptions(TileKernel kernel, Boolean projected, Integer chunks, Integer projectionSteps, Boolean ahead) {

    static final EngineOptions AUTO = new EngineOptions(null, null, null, null);

    EngineOptions(TileKernel kernel, Boolean projected, Integer chunks, Integer projectionSteps) {
        this(kernel, projected, chunks, projectionSteps, null);
    }

    /** These options on {@code other} kernel. */
    EngineOptions withKernel(TileKernel other) {
        return new EngineOptions(other, projected, chunks, projectionSteps, ahead);
    }
}
