package dev.lstmserve.core;

/**
 * The input half of every step's pre-activations, computed for all steps at once before the time loop:
 * {@code zx [B*T][4H] = inputs [B*T][E] · kernel [E][4H] + bias [4H]}.
 */
public enum InputProjection {

    /** Plain Java loops: no call overhead, best for small kernels. */
    JAVA,
    /** One ND4J (OpenBLAS) GEMM: pays 20–90 µs per call, wins for large kernels. */
    ND4J,
    /** {@link #ND4J} when the kernel has at least {@link #GEMM_MIN_KERNEL_SIZE} values, else {@link #JAVA}. */
    AUTO;

    /**
     * E·4H from which AUTO uses ND4J. The choice depends on the model only, never on the batch, so a window gets
     * the same bits whatever it is batched with. Measured in docs/PERFORMANCE.md.
     */
    public static final int GEMM_MIN_KERNEL_SIZE = 32 * 1024;

    InputProjection resolve(int inputSize, int units) {
        if (this != AUTO) {
            return this;
        }
        return (long) inputSize * 4 * units >= GEMM_MIN_KERNEL_SIZE ? ND4J : JAVA;
    }

    /**
     * @param x      inputs, row-major {@code [rows][E]}
     * @param rows   B*T
     * @return       {@code [rows][4H]} row-major, bias added
     */
    static float[] projectJava(float[] x, int rows, LstmWeights weights) {
        int e = weights.inputSize();
        int gates = 4 * weights.units();
        float[] kernel = weights.kernelData();
        float[] bias = weights.biasData();
        float[] zx = new float[rows * gates];
        for (int r = 0; r < rows; r++) {
            int out = r * gates;
            if (bias != null) {
                System.arraycopy(bias, 0, zx, out, gates);
            }
            for (int k = 0; k < e; k++) {
                float xk = x[r * e + k];
                int w = k * gates;
                for (int j = 0; j < gates; j++) {
                    zx[out + j] += xk * kernel[w + j];
                }
            }
        }
        return zx;
    }
}
