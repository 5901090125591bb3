package dev.lstmserve.core;

/**
 * A dense layer's product with its weights packed once, at load: {@code out [M][N] = x [M][K] · kernel [K][N]
 * (+ bias [N])}, on the engine's register-blocked kernels ({@link TileKernel}), split across cores by column panels
 * when the product is large enough.
 *
 * <p><b>Batch invariant:</b> each output element is {@code bias[n]} (or 0) followed by one fused multiply-add per k,
 * in increasing k, whatever M, the row's place among the others, the tiling or the threads; so a row's bits never
 * depend on the other rows. The Vector API kernel and the scalar fallback give the same bits.
 *
 * <p>For Keras {@code Dense} ({@code keras/src/layers/core/dense.py}: {@code x @ kernel + bias}) and
 * {@code TimeDistributed(Dense)} (the [B][T] rows as M = B·T rows). Immutable and safe for concurrent calls.
 */
public final class Gemm {

    /** Multiply-adds from which the column panels are split across cores. */
    static final long PARALLEL_MIN_WORK = 1L << 18;
    private static final int ROW_BLOCK = 192;

    private final int inputSize;
    private final int outputSize;
    private final int lanes;
    private final int panels;
    private final float[] kernel;
    private final float[] bias;

    private Gemm(int inputSize, int outputSize, int lanes, float[] kernel, float[] bias) {
        this.inputSize = inputSize;
        this.outputSize = outputSize;
        this.lanes = lanes;
        this.panels = PackedPanels.densePanels(outputSize, lanes);
        this.kernel = kernel;
        this.bias = bias;
    }

    /**
     * Packs {@code kernel [K][N]} and {@code bias [N]}; the arrays are copied, never kept.
     *
     * @param bias {@code [N]}, or {@code null} for {@code use_bias=False}
     * @throws IllegalArgumentException naming the array whose shape does not fit
     */
    public static Gemm of(float[][] kernel, float[] bias) {
        if (kernel == null || kernel.length == 0 || kernel[0] == null || kernel[0].length == 0) {
            throw new IllegalArgumentException("kernel is empty; expected [input_size][units]");
        }
        int columns = kernel[0].length;
        Shapes.checkColumns("kernel", kernel, columns);
        if (bias != null && bias.length != columns) {
            throw new IllegalArgumentException("bias has " + bias.length + " values; expected " + columns
                    + " (units, from kernel [" + kernel.length + "][" + columns + "])");
        }
        int lanes = Kernels.lanes();
        return new Gemm(kernel.length, columns, lanes, PackedPanels.dense(kernel, columns, lanes),
                PackedPanels.denseBias(bias, columns, lanes));
    }

    /** K, the values per input row. */
    public int inputSize() {
        return inputSize;
    }

    /** N, the values per output row. */
    public int outputSize() {
        return outputSize;
    }

    /**
     * @param x {@code [M][K]}, M ≥ 1; the row arrays are only read
     * @return {@code [M][N]}, fresh arrays
     * @throws IllegalArgumentException naming the row whose length is not K
     */
    public float[][] multiply(float[][] x) {
        float[][] out = new float[x.length][outputSize];
        multiply(x, out);
        return out;
    }

    /**
     * {@link #multiply(float[][])} into {@code out [M][N]} (each row at least N long; values past N untouched).
     */
    public void multiply(float[][] x, float[][] out) {
        multiply(x, out, Kernels.active(), false);
    }

    void multiply(float[][] x, float[][] out, TileKernel tiles, boolean splitAlways) {
        int rows = x.length;
        if (rows == 0) {
            throw new IllegalArgumentException("x is empty; expected [rows][" + inputSize + "]");
        }
        if (out.length != rows) {
            throw new IllegalArgumentException("out has " + out.length + " rows; expected " + rows);
        }
        for (int m = 0; m < rows; m++) {
            if (x[m] == null || x[m].length != inputSize) {
                throw new IllegalArgumentException("x[" + m + "] has " + (x[m] == null ? 0 : x[m].length)
                        + " values; expected " + inputSize);
            }
            if (out[m] == null || out[m].length < outputSize) {
                throw new IllegalArgumentException("out[" + m + "] holds fewer than " + outputSize + " values");
            }
        }
        if (tiles.lanes != lanes) {
            throw new IllegalStateException("kernel of " + tiles.lanes + " lanes for weights packed for " + lanes);
        }
        long work = (long) rows * inputSize * outputSize;
        int chunks = splitAlways ? panels
                : work >= PARALLEL_MIN_WORK ? Math.min(panels, StepTeam.maxParticipants()) : 1;
        int width = 4 * lanes;
        float[][] scratch = new float[Math.min(chunks, StepTeam.maxParticipants())][Math.min(rows, ROW_BLOCK) * width];
        StepTeam.run(1, chunks, chunks - 1, (step, chunk, participant) -> {
            int p0 = (int) ((long) chunk * panels / chunks);
            int p1 = (int) ((long) (chunk + 1) * panels / chunks);
            float[] z = scratch[participant];
            for (int r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
                int count = Math.min(ROW_BLOCK, rows - r0);
                for (int p = p0; p < p1; p++) {
                    tiles.accumulate(bias, p * width, 0, x, r0, inputSize, kernel, p * inputSize * width, count, z,
                            0, width);
                    int columns = Math.min(width, outputSize - p * width);
                    for (int r = 0; r < count; r++) {
                        System.arraycopy(z, r * width, out[r0 + r], p * width, columns);
                    }
                }
            }
        });
    }
}
