package dev.lstmserve.core;

/**
 * The engine's one small-matrix product, {@code out[r] += a[r] · w}, for the time loop's {@code h_tm1 ·
 * recurrent_kernel} and the small-kernel input projection.
 *
 * <p>Rows are taken four at a time so each loaded weight feeds four accumulators; the JIT vectorises the inner loop.
 * Every element is accumulated over k in the same order whichever path its row takes (Java does not fuse or
 * reorder float operations), so a row's bits never depend on the other rows.
 */
final class MatMul {

    private MatMul() {
    }

    /**
     * @param a     row-major {@code [rows][k]}, rows starting at {@code aRow}
     * @param w     row-major {@code [k][n]}
     * @param out   {@code rows} arrays of at least n values, from {@code outRow}; accumulated into
     */
    static void accumulate(float[] a, int aRow, int rows, int k, float[] w, int n, float[][] out, int outRow) {
        int r = 0;
        for (; r + 3 < rows; r += 4) {
            float[] z0 = out[outRow + r];
            float[] z1 = out[outRow + r + 1];
            float[] z2 = out[outRow + r + 2];
            float[] z3 = out[outRow + r + 3];
            int a0 = (aRow + r) * k;
            for (int i = 0; i < k; i++) {
                float h0 = a[a0 + i];
                float h1 = a[a0 + k + i];
                float h2 = a[a0 + 2 * k + i];
                float h3 = a[a0 + 3 * k + i];
                int wi = i * n;
                for (int j = 0; j < n; j++) {
                    float wij = w[wi + j];
                    z0[j] += h0 * wij;
                    z1[j] += h1 * wij;
                    z2[j] += h2 * wij;
                    z3[j] += h3 * wij;
                }
            }
        }
        for (; r < rows; r++) {
            float[] z0 = out[outRow + r];
            int a0 = (aRow + r) * k;
            for (int i = 0; i < k; i++) {
                float h0 = a[a0 + i];
                int wi = i * n;
                for (int j = 0; j < n; j++) {
                    z0[j] += h0 * w[wi + j];
                }
            }
        }
    }
}
