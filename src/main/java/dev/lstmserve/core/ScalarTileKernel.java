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
    void accumulate(float[][] a, int row, int rows, int depth, float[] w, int wOff, float[] z, int zOff,
                    int zStride) {
        int width = 4 * lanes;
        float[] acc = new float[width];
        for (int r = 0; r < rows; r++) {
            float[] ar = a[row + r];
            int zr = zOff + r * zStride;
            System.arraycopy(z, zr, acc, 0, width);
            for (int k = 0; k < depth; k++) {
                int wi = wOff + k * width;
                float x = ar[k];
                for (int j = 0; j < width; j++) {
                    acc[j] = Math.fma(x, w[wi + j], acc[j]);
                }
            }
            System.arraycopy(acc, 0, z, zr, width);
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
