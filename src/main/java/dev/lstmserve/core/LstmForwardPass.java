package dev.lstmserve.core;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * One forward pass of {@link LstmLayer}: its buffers and the work of each (step, chunk) for {@link StepTeam}. A chunk
 * is a range of panels (whole units, their four gates together), so the threads of one step share nothing but
 * {@code h_tm1}, which they only read.
 *
 * <p>Two ways to get {@code z = x_t·kernel + bias + h_tm1·recurrent_kernel}, the same bits either way (both continue
 * one chain of fused multiply-adds: bias, then x in order of e, then h in order of k):
 * <ul>
 *   <li><b>projected</b>: an extra step computes {@code zx = x·kernel + bias} for the rows of a block of time steps at
 *       once (time-major), then each step of the block continues zx's rows of its time with h. Good when T·B is large
 *       next to B: the projection's weights are read once for many rows. A block holds as many steps as fit in
 *       {@link #ZX_BLOCK_FLOATS} when the kernel is small (so that the block stays in cache), else in
 *       {@link #ZX_MAX_FLOATS}, so zx stays bounded however long the window.</li>
 *   <li><b>fused</b>: each step starts from the bias and accumulates x_t then h_tm1 into a small per-thread scratch:
 *       no T·B·4H buffer to write and read back.</li>
 * </ul>
 */
final class LstmForwardPass implements StepTeam.Work {

    /** Rows of the projection done per pass over a panel: keeps the rows' inputs in L2 while the panel streams. */
    static final int PROJECTION_ROW_BLOCK = 192;

    /**
     * Most floats zx holds (16 MB), unless a single step's B·4H floats are more: the steps of a window are projected
     * in blocks of as many steps as fit (at least one). Without it, zx held B·T·4H floats for one request: 4.3 GB for
     * T·B = 262 144 steps of a 1024-unit layer.
     */
    static final int ZX_MAX_FLOATS = 1 << 22;

    /**
     * Floats of zx per block (256 KB, or one step's when more) when the kernel is at most {@link #SMALL_KERNEL_BYTES}:
     * such a block stays in the cores' L2 between its projection and its steps, and re-reading a small kernel per
     * block costs little. Measured (docs/PERFORMANCE.md): S2 (B = 8, 32 KB a step) 0.92 against 0.98 ms with the
     * whole window in one 1 MB block; B = 16 and 24 at E, H = 128-256 gained 5-12 %; with S4's 8 MB kernel, blocks
     * of 2 steps were 30 % slower, so large kernels keep blocks of up to {@link #ZX_MAX_FLOATS}.
     */
    static final int ZX_BLOCK_FLOATS = 1 << 16;

    /** Floats in a 64-byte cache line. */
    static final int LINE_FLOATS = 16;

    /**
     * Floats of a row of zx and of the run-ahead z buffers for {@code rowFloats} floats of panels (P·4L): one 64-byte
     * line more when the panels fill an even number of lines, so that every row is an odd number of lines long.
     * Without it a row is a multiple of 4 KiB whenever P is (with 16 lanes) a multiple of 4 (S2: 4 KiB, S3: 8 KiB,
     * S4: 16 KiB), so the rows a tile or the gate pass works on together start at the same offset in a 4 KiB page and
     * contend for the same L1 sets (and the CPU's 4 KiB store-to-load aliasing check); with an odd number of lines
     * rows meet at one page offset only 64 rows apart. Measured with {@code EngineOptionsTiming} (docs/PERFORMANCE.md,
     * 2026-12-01): S2 2.3-3.8 % faster, S3 1.2-1.4 %, S4 1.6 %, B = 16 4.2 %, S1 (one row) equal. The bits do not
     * change: each element is the same chain of multiply-adds, wherever it is stored. Block sizes and
     * {@link #runsAhead} count the panels' floats only, so zx may exceed {@link #ZX_BLOCK_FLOATS} or
     * {@link #ZX_MAX_FLOATS} by at most a line per row.
     */
    static int paddedRowFloats(int rowFloats) {
        return (rowFloats / LINE_FLOATS) % 2 == 0 ? rowFloats + LINE_FLOATS : rowFloats;
    }

    /** Kernel bytes up to which projection blocks hold {@link #ZX_BLOCK_FLOATS}. */
    static final long SMALL_KERNEL_BYTES = 1L << 20;

    /** Most floats of zx per projection block for a kernel of {@code kernelBytes} (unpadded, E·4H·4). */
    static int blockFloats(long kernelBytes) {
        return kernelBytes <= SMALL_KERNEL_BYTES ? ZX_BLOCK_FLOATS : ZX_MAX_FLOATS;
    }

    private final TileKernel kernel;
    private final PackedLstm packed;
    private final TileKernel.Gates gates;
    private final boolean goBackwards;
    private final boolean[][] mask;
    private final int batch;
    private final int steps;
    private final int lanes;
    private final int width;
    private final int chunks;
    private final boolean projected;
    /** {@code x_t} of row b at {@code [t·B + b]}: the inputs' own arrays, time-major. */
    private final float[][] xByTime;
    /**
     * projected: {@code zx [blockSteps·B][paddedRowFloats(P·4L)]} for one block of steps, time-major; then z of each
     * step in place.
     */
    private final float[] zx;
    private final int zxStride;
    /** projected: processing steps per projection block (the last block may hold fewer). */
    private final int blockSteps;
    private final int blocks;
    /** fused: z {@code [B][4L]} of one panel, one per participant of {@link StepTeam} (one chunk at a time each). */
    private final float[][] scratch;
    /**
     * fused, split in chunks, when two steps' z fit in {@link #AHEAD_MAX_FLOATS}: z {@code [B][zxStride]} of the
     * steps of even and odd index, so that a thread waiting for the others to finish step s − 1 can compute its
     * chunks' {@code bias + x_s·kernel} of step s ahead ({@link #ahead}); {@code null} otherwise.
     */
    private final float[][] zAhead;
    /** Per chunk (at {@code chunk·PAD}): the last step whose x part was claimed, and the last one done. */
    private final AtomicIntegerArray xClaimed;
    private final AtomicIntegerArray xDone;
    /** Time the caller (participant 0) waited in {@link #awaitXPart}; written and read by the caller only. */
    private long callerWaitNanos;
    /**
     * {@code [T+1][B]}: the array holding {@code h} of row b after processing step s at {@code [s+1][b]}, the initial
     * state at {@code [0][b]}. From a row's first unmasked step on, that is the row's output of step s itself, so the
     * gates write each step's output where the next step reads h_tm1, with no copy; before it, h is the initial
     * state's copy (Keras outputs zeros there and carries the initial state).
     */
    private final float[][][] hRows;
    private final float[][] c;
    /** {@code [T][B]}: the mask transposed, per time step; {@code null} without a mask. */
    private final boolean[][] live;
    /** Per participant, {@code [B·L]} for the gate update. */
    private final float[][] gateScratch;
    /** The first processing step whose row is not masked (steps before it output zeros), or T. */
    private final int[] firstEmitted;
    private final float[][][] outputs;

    /**
     * Most floats of the two steps' z that {@link #ahead} works in (1 MB): S3's fused step (B = 32, 4H = 2048) needs
     * 512 KB. Larger batches, whose steps wait less in proportion, keep the per-thread scratch.
     */
    static final int AHEAD_MAX_FLOATS = 1 << 18;

    /**
     * Whether a fused pass of steps split into {@code chunks}, each step's z {@code stepFloats} (B·4H padded to whole
     * panels, without the rows' line of {@link #paddedRowFloats}), computes x parts ahead ({@link #ahead}): split
     * steps whose two z buffers fit in {@link #AHEAD_MAX_FLOATS}.
     */
    static boolean runsAhead(int chunks, long stepFloats) {
        return chunks > 1 && 2 * stepFloats <= AHEAD_MAX_FLOATS;
    }

    /** Ints between two chunks' counters in {@link #xClaimed} and {@link #xDone}: one 64-byte line each. */
    private static final int PAD = 16;

    LstmForwardPass(TileKernel kernel, PackedLstm packed, TileKernel.Gates gates, boolean goBackwards,
                    float[][][] inputs, boolean[][] mask, LstmState state, boolean projected, int chunks,
                    int projectionSteps, boolean ahead) {
        this.kernel = kernel;
        this.packed = packed;
        this.gates = gates;
        this.goBackwards = goBackwards;
        this.mask = mask;
        this.batch = inputs.length;
        this.steps = inputs[0].length;
        this.lanes = packed.lanes();
        this.width = packed.width();
        this.chunks = chunks;
        this.projected = projected;
        int units = packed.units();
        int padded = packed.panels() * lanes;

        xByTime = new float[steps * batch][];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                xByTime[t * batch + b] = inputs[b][t];
            }
        }
        zxStride = paddedRowFloats(packed.panels() * width);
        // Sizes and choices count the panels' floats (B·P·4L, as LstmLayer does); the buffers add the rows' pad.
        int stepFloats = batch * packed.panels() * width;
        blockSteps = !projected ? 0 : Math.min(steps, projectionSteps > 0 ? projectionSteps
                : Math.max(1, blockFloats(4L * packed.inputSize() * 4 * packed.units()) / stepFloats));
        blocks = projected ? (steps + blockSteps - 1) / blockSteps : 0;
        zx = projected ? new float[blockSteps * batch * zxStride] : null;
        int participants = Math.min(chunks, StepTeam.maxParticipants());
        boolean aheadOn = ahead && !projected && runsAhead(chunks, stepFloats);
        scratch = projected || aheadOn ? null : new float[participants][batch * width];
        zAhead = aheadOn ? new float[2][batch * zxStride] : null;
        xClaimed = aheadOn ? new AtomicIntegerArray(chunks * PAD) : null;
        xDone = aheadOn ? new AtomicIntegerArray(chunks * PAD) : null;
        for (int i = 0; aheadOn && i < chunks; i++) {
            xClaimed.set(i * PAD, -1);
            xDone.set(i * PAD, -1);
        }

        c = new float[batch][padded];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(state.c()[b], 0, c[b], 0, units);
        }
        if (mask == null) {
            live = null;
        } else {
            live = new boolean[steps][batch];
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < steps; t++) {
                    live[t][b] = mask[b][t];
                }
            }
        }
        gateScratch = new float[participants][batch * lanes];
        firstEmitted = new int[batch];
        for (int b = 0; b < batch; b++) {
            int s = 0;
            while (s < steps && mask != null && !mask[b][time(s)]) {
                s++;
            }
            firstEmitted[b] = s;
        }
        // Rows padded to whole panels: the gates write a panel's lanes whole (result() trims them).
        outputs = new float[batch][steps][padded];
        hRows = new float[steps + 1][batch][];
        for (int b = 0; b < batch; b++) {
            float[] initial = Arrays.copyOf(state.h()[b], padded);
            for (int s = 0; s <= steps; s++) {
                hRows[s][b] = s == 0 || s - 1 < firstEmitted[b] ? initial : outputs[b][s - 1];
            }
        }
    }

    /** Steps for {@link StepTeam#run}: the time steps, plus, when projected, the projection before each block. */
    int teamSteps() {
        return projected ? steps + blocks : steps;
    }

    @Override
    public void run(int step, int chunk, int participant) {
        int p0 = firstPanel(chunk);
        int p1 = firstPanel(chunk + 1);
        if (p0 == p1) {
            return;
        }
        if (projected) {
            // Team steps per block: its projection, then its time steps.
            int block = step / (blockSteps + 1);
            int position = step % (blockSteps + 1);
            if (position == 0) {
                project(block, p0, p1);
            } else {
                recurrentStep(block * blockSteps + position - 1, participant, p0, p1);
            }
        } else {
            if (zAhead != null) {
                // This chunk's x part of the step: here, unless a waiting thread has claimed it ahead.
                if (claimXPart(step, chunk)) {
                    xPart(step, p0, p1);
                    xDone.set(chunk * PAD, step);
                } else {
                    awaitXPart(step, chunk, participant);
                }
            }
            recurrentStep(step, participant, p0, p1);
        }
    }

    /**
     * A thread waiting for the others to finish step {@code step − 1} computes {@code bias + x·kernel} of this chunk
     * of {@code step} (which does not depend on h), unless the chunk's thread has claimed it already: what would be
     * idle time at the step barrier (a third of the products at S3) is spent on the next step.
     */
    @Override
    public void ahead(int step, int chunk, int participant) {
        if (zAhead == null || step >= steps || !claimXPart(step, chunk)) {
            return;
        }
        try {
            xPart(step, firstPanel(chunk), firstPanel(chunk + 1));
        } finally {
            // Published even after a failure, which StepTeam reports: the chunk's run must not wait for it forever.
            xDone.set(chunk * PAD, step);
        }
    }

    /** The first panel of a chunk (chunks are contiguous ranges of panels, as even as they divide). */
    private int firstPanel(int chunk) {
        return (int) ((long) chunk * packed.panels() / chunks);
    }

    /**
     * Claims the chunk's x part of step s, once the x part of step s − 1 is done: so each chunk's x parts are claimed
     * and finished in step order, {@link #xDone} only grows, and a step's z half is never written while the step
     * two before still reads it (a thread still computing step s − 1's x part of a chunk it took over keeps a waiting
     * thread from claiming step s's).
     */
    private boolean claimXPart(int s, int chunk) {
        return xDone.get(chunk * PAD) == s - 1 && xClaimed.compareAndSet(chunk * PAD, s - 1, s);
    }

    /** {@code z = bias + x_t·kernel} for panels [p0, p1) of step s, into the step's half of {@link #zAhead}. */
    private void xPart(int s, int p0, int p1) {
        float[] z = zAhead[s & 1];
        int t = time(s);
        for (int p = p0; p < p1; p++) {
            // From the bias itself (no copy of it per row) through x_t; h_tm1 follows in recurrentStep.
            kernel.accumulate(packed.bias(), p * width, 0, xByTime, t * batch, packed.inputSize(), packed.kernel(),
                    packed.kernelPanel(p), batch, z, p * width, zxStride);
        }
    }

    /**
     * Spins until the thread that claimed the chunk's x part of step s ahead has finished it (microseconds, unless that
     * thread was descheduled: the caller's wait counts towards StepTeam's stall back-off).
     */
    private void awaitXPart(int s, int chunk, int participant) {
        if (xDone.get(chunk * PAD) >= s) {
            return;
        }
        long since = participant == 0 ? System.nanoTime() : 0;
        int spins = 0;
        while (xDone.get(chunk * PAD) < s) {
            StepTeam.pause(++spins);
        }
        if (participant == 0) {
            callerWaitNanos += System.nanoTime() - since;
        }
    }

    @Override
    public long callerWaitNanos() {
        return callerWaitNanos;
    }

    /** {@code zx = x·kernel + bias} for every row of a block's time steps, panels [p0, p1). */
    private void project(int block, int p0, int p1) {
        int first = firstTime(block) * batch;
        int rows = blockLength(block) * batch;
        int inputSize = packed.inputSize();
        float[] bias = packed.bias();
        for (int r0 = 0; r0 < rows; r0 += PROJECTION_ROW_BLOCK) {
            int count = Math.min(PROJECTION_ROW_BLOCK, rows - r0);
            for (int p = p0; p < p1; p++) {
                kernel.accumulate(bias, p * width, 0, xByTime, first + r0, inputSize, packed.kernel(),
                        packed.kernelPanel(p), count, zx, r0 * zxStride + p * width, zxStride);
            }
        }
    }

    /** Processing steps in a projection block. */
    private int blockLength(int block) {
        return Math.min(blockSteps, steps - block * blockSteps);
    }

    /** The earliest time (input index) among a projection block's steps: zx holds its times in increasing order. */
    private int firstTime(int block) {
        int s0 = block * blockSteps;
        return goBackwards ? steps - s0 - blockLength(block) : s0;
    }

    private void recurrentStep(int s, int participant, int p0, int p1) {
        int t = time(s);
        float[][] hPrev = hRows[s];
        float[][] hNext = hRows[s + 1];
        int units = packed.units();
        // projected: this step's rows in zx, which holds its block's times in order.
        int zxRow = projected ? (t - firstTime(s / blockSteps)) * batch * zxStride : 0;
        // zx's rows of this step, or the step's z with its x part done (zAhead), or a panel's scratch.
        boolean wide = projected || zAhead != null;
        for (int p = p0; p < p1; p++) {
            float[] z = projected ? zx : zAhead != null ? zAhead[s & 1] : scratch[participant];
            int zOff = projected ? zxRow + p * width : wide ? p * width : 0;
            int zStride = wide ? zxStride : width;
            if (!wide) {
                // From the bias itself (no copy of it per row) through x_t; h_tm1 follows as in the projected path.
                kernel.accumulate(packed.bias(), p * width, 0, xByTime, t * batch, packed.inputSize(),
                        packed.kernel(), packed.kernelPanel(p), batch, z, 0, width);
            }
            kernel.accumulate(hPrev, 0, batch, units, packed.recurrentKernel(), packed.recurrentPanel(p), z, zOff,
                    zStride);
            kernel.gates(z, zOff, zStride, batch, live == null ? null : live[t], c, hPrev, hNext, p * lanes,
                    gateScratch[participant], gates);
        }
    }

    private int time(int s) {
        return goBackwards ? steps - 1 - s : s;
    }

    /** After {@link StepTeam#run}: outputs {@code [B][T][H]} and the final state {@code [B][H]}. */
    LstmResult result() {
        int units = packed.units();
        float[][] hLast = hRows[steps];
        float[][] h = new float[batch][];
        float[][] cOut = new float[batch][];
        for (int b = 0; b < batch; b++) {
            h[b] = Arrays.copyOf(hLast[b], units);
            cOut[b] = Arrays.copyOf(c[b], units);
            if (packed.panels() * lanes != units) {
                for (int s = 0; s < steps; s++) {
                    outputs[b][s] = Arrays.copyOf(outputs[b][s], units);
                }
            }
        }
        return new LstmResult(outputs, new LstmState(h, cOut));
    }
}
