package dev.lstmserve.core;

/**
 * {@link TileKernel} in plain Java: the fallback when the Vector API module is absent. It performs, element by
 * element, exactly the operations of {@link VectorTileKernel} ({@link Math#fma} for the products, {@link GateMath} for
 * the activations), so both compute the same bits.
 */
final class ScalarTileKernel extends TileKernel {

    ScalarTileKernel(int lanes) {
        super(lanes);
    }

    @Override
    String name() {
        return "scalar";
    }

    @Override
    void accumulate(float[] init, int iOff, int iStride, float[][] a, int row, int depth, float[] w, int wOff,
                    int rows, float[] z, int zOff, int zStride) {
        int width = 4 * lanes;
        // Accumulators and the current weight row in arrays indexed alike, so that C2 turns the j loop into vector
        // FMAs (it does not when the two arrays are indexed at different offsets).
        float[][] acc = new float[rows][width];
        float[] wk = new float[width];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(init, iOff + r * iStride, acc[r], 0, width);
        }
        for (int k = 0; k < depth; k++) {
            System.arraycopy(w, wOff + k * width, wk, 0, width);
            for (int r = 0; r < rows; r++) {
                float x = a[row + r][k];
                float[] ar = acc[r];
                for (int j = 0; j < width; j++) {
                    ar[j] = Math.fma(x, wk[j], ar[j]);
                }
            }
        }
        for (int r = 0; r < rows; r++) {
            System.arraycopy(acc[r], 0, z, zOff + r * zStride, width);
        }
    }

    @Override
    void gates(float[] z, int zOff, int zStride, int rows, boolean[] live, float[][] c, float[][] hPrev,
               float[][] hNext, int off, float[] scratch, Gates gates) {
        gates(z, zOff, zStride, rows, live, c, hPrev, hNext, off, lanes, gates);
    }

    /** The gate update lane by lane; also the vector kernel's path for activations without a vector form. */
    static void gates(float[] z, int zOff, int zStride, int rows, boolean[] live, float[][] c, float[][] hPrev,
                      float[][] hNext, int off, int lanes, Gates gates) {
        int a = gates.activationCode();
        int r = gates.recurrentCode();
        Activation activation = gates.activation();
        Activation recurrent = gates.recurrentActivation();
        for (int row = 0; row < rows; row++) {
            if (live != null && !live[row]) {
                System.arraycopy(hPrev[row], off, hNext[row], off, lanes);
                continue;
            }
            int zr = zOff + row * zStride;
            float[] cr = c[row];
            float[] hr = hNext[row];
            for (int j = 0; j < lanes; j++) {
                float i = GateMath.apply(r, recurrent, z[zr + j]);
                float f = GateMath.apply(r, recurrent, z[zr + lanes + j]);
                float g = GateMath.apply(a, activation, z[zr + 2 * lanes + j]);
                float o = GateMath.apply(r, recurrent, z[zr + 3 * lanes + j]);
                float cNew = f * cr[off + j] + i * g;
                cr[off + j] = cNew;
                hr[off + j] = o * GateMath.apply(a, activation, cNew);
            }
        }
    }
}
