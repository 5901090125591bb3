package dev.lstmserve.core;

/**
 * The input half of every step's pre-activations, computed for all steps at once before the time loop:
 * {@code zx [T*B][4H] = inputs [T*B][E] · kernel [E][4H] + bias [4H]} (time-major rows).
 */
public enum InputProjection {

    /** Plain Java loops: no call overhead, best for small kernels. */
    JAVA,
    /**
     * One ND4J (OpenBLAS) GEMM per window, so that a window's bits never depend on its batch: pays 20–90 µs per call,
     * wins for large kernels.
     */
    ND4J,
    /**
     * {@link #ND4J} for windows of at least {@link #GEMM_MIN_WINDOW_WORK} multiply-adds into inputs of at least
     * {@link #GEMM_MIN_INPUT_SIZE} features, else {@link #JAVA}.
     */
    AUTO;

    /**
     * One window's projection work, T·E·4H multiply-adds, from which AUTO uses ND4J: below it the Java loops were
     * faster here (docs/PERFORMANCE.md). The choice depends on the model and the window's length, never on the batch,
     * so a window gets the same bits whatever it is batched with.
     */
    public static final long GEMM_MIN_WINDOW_WORK = 1L << 28;

    /** E from which AUTO may use ND4J: at E = 256 it lost even at 2^28 multiply-adds per window, at 512 it won. */
    public static final int GEMM_MIN_INPUT_SIZE = 512;

    /** The projection for windows of {@code steps} steps (never AUTO). */
    InputProjection resolve(int inputSize, int units, int steps) {
        if (this != AUTO) {
            return this;
        }
        return inputSize >= GEMM_MIN_INPUT_SIZE && (long) steps * inputSize * 4 * units >= GEMM_MIN_WINDOW_WORK
                ? ND4J : JAVA;
    }

    /**
     * @param x      inputs, row-major {@code [rows][E]}
     * @param rows   T*B
     * @return       {@code [rows][4H]}, bias added
     */
    static float[][] projectJava(float[] x, int rows, LstmWeights weights) {
        int gates = 4 * weights.units();
        float[] bias = weights.biasData();
        float[][] zx = new float[rows][];
        for (int r = 0; r < rows; r++) {
            zx[r] = bias == null ? new float[gates] : bias.clone();
        }
        MatMul.accumulate(x, 0, rows, weights.kernelRows(), zx, 0);
        return zx;
    }
}
