package dev.lstmserve.core;

/**
 * The engine's one small-matrix product, {@code out[r] += a[r] · w}, for the time loop's {@code h_tm1 ·
 * recurrent_kernel} and the small-kernel input projection.
 *
 * <p>The inner loop runs over one weight row and one output row, both indexed by the same {@code j}, which the JIT
 * vectorises (offsets into one flat array defeat it: 4x slower, measured). Every element is accumulated over k in
 * the same order whatever the other rows hold (Java neither fuses nor reorders float operations), so a row's bits
 * never depend on the other rows.
 */
final class MatMul {

    private MatMul() {
    }

    /**
     * @param a     row-major {@code [rows][k]}, rows starting at {@code aRow}
     * @param w     {@code [k][n]}
     * @param out   {@code rows} arrays of n values, from {@code outRow}; accumulated into
     */
    static void accumulate(float[] a, int aRow, int rows, float[][] w, float[][] out, int outRow) {
        int k = w.length;
        for (int r = 0; r < rows; r++) {
            float[] z = out[outRow + r];
            int ar = (aRow + r) * k;
            for (int i = 0; i < k; i++) {
                float ai = a[ar + i];
                float[] wi = w[i];
                for (int j = 0; j < wi.length; j++) {
                    z[j] += ai * wi[j];
                }
            }
        }
    }

    /**
     * @param a   {@code [rows][k]}
     * @param w   {@code [k][n]}
     * @param out {@code [rows][n]}, accumulated into
     */
    static void accumulate(float[][] a, float[][] w, float[][] out) {
        for (int r = 0; r < a.length; r++) {
            float[] z = out[r];
            float[] ar = a[r];
            for (int i = 0; i < w.length; i++) {
                float ai = ar[i];
                float[] wi = w[i];
                for (int j = 0; j < wi.length; j++) {
                    z[j] += ai * wi[j];
                }
            }
        }
    }
}
