package dev.lstmserve.core;

/**
 * The two operations every fast path of the engine is built from, over weights packed in panels
 * ({@link PackedPanels}): a register-blocked product that accumulates into z, and the fused LSTM gate update of one
 * row for one block of units. Two implementations compute the same bits: {@link VectorTileKernel} (the Vector API)
 * and {@link ScalarTileKernel} (the fallback when {@code jdk.incubator.vector} is absent); {@link Kernels} picks one.
 *
 * <p><b>Fixed order.</b> Every z element is accumulated over k in increasing order by fused multiply-adds, starting
 * from its initial value (the bias, or the value z holds), whatever the number of rows, the register tile that covers
 * a row, or the thread that runs it. So a row's bits never depend on the other rows (batch invariance), on the
 * tiling, on the split across threads, or on whether the projection {@code x·kernel} was done before the time loop or
 * inside each step.
 */
abstract class TileKernel {

    /** Floats per vector, L; a panel is {@code 4L} columns wide. */
    final int lanes;

    TileKernel(int lanes) {
        this.lanes = lanes;
    }

    /** {@code "vector"} or {@code "scalar"}. */
    abstract String name();

    /**
     * {@code z[r][j] = init[r][j]}, then {@code z[r][j] = fma(a[row + r][k], w[k][j], z[r][j])} for k from 0 to
     * depth − 1 in order; j in [0, 4L). A projection's {@code bias + x·kernel} reads the bias in place, with
     * {@code iStride} 0, rather than copy it to every row first (25-40 % of a Dense product's time went to such
     * copies); {@code z += a·w} (the other method) starts from z itself. Either way each element is one chain of
     * multiply-adds in the same order, so the same bits whichever form produced it.
     *
     * @param init    row r's starting values at {@code iOff + r·iStride}, 4L floats; {@code iStride} 0 starts every
     *                row from the same values (a bias); may be z itself at the same offsets
     * @param a       rows; row {@code row + r} is read at indices [0, depth)
     * @param w       a panel: row k of it at {@code wOff + k·4L}, 4L floats
     * @param rows    number of rows, ≥ 1
     * @param z       row r at {@code zOff + r·zStride}, 4L floats, written
     */
    abstract void accumulate(float[] init, int iOff, int iStride, float[][] a, int row, int depth, float[] w,
                             int wOff, int rows, float[] z, int zOff, int zStride);

    /** {@code z[r][j] = fma(a[row + r][k], w[k][j], z[r][j])} for k from 0 to depth − 1 in order, j in [0, 4L). */
    final void accumulate(float[][] a, int row, int rows, int depth, float[] w, int wOff, float[] z, int zOff,
                          int zStride) {
        accumulate(z, zOff, zStride, a, row, depth, w, wOff, rows, z, zOff, zStride);
    }

    /**
     * One LSTM step for {@code rows} rows and one panel's L units, {@code c = f·c_tm1 + i·activation(z_c)} (two
     * products and a sum, no fused multiply-add) and {@code h = o·activation(c)}.
     *
     * @param z       row r's pre-activations at {@code zOff + r·zStride}: blocks i, f, c, o of L floats; overwritten
     * @param live    per row, whether this step is unmasked; {@code null} for all. A masked row keeps its c and copies
     *                {@code hPrev} into {@code hNext} (Keras: a masked step keeps the state)
     * @param c       row r's {@code c_tm1} at {@code c[r][off..off+L)}, replaced by the new c
     * @param hNext   row r's new h goes to {@code hNext[r][off..off+L)}
     * @param scratch at least {@code rows·L} floats
     */
    abstract void gates(float[] z, int zOff, int zStride, int rows, boolean[] live, float[][] c, float[][] hPrev,
                        float[][] hNext, int off, float[] scratch, Gates gates);

    /** A layer's two activations, with the codes the kernels dispatch on. */
    record Gates(Activation activation, Activation recurrentActivation, int activationCode, int recurrentCode) {

        static Gates of(Activation activation, Activation recurrentActivation) {
            return new Gates(activation, recurrentActivation, GateMath.code(activation),
                    GateMath.code(recurrentActivation));
        }

        /** Both activations have a vectorised form. */
        boolean vectorised() {
            return activationCode != GateMath.OTHER && recurrentCode != GateMath.OTHER;
        }
    }
}
