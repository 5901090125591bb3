package dev.lstmserve.core;

/**
 * One LSTM step for one batch row, the pure function under {@link LstmLayer} (Keras {@code LSTMCell}):
 *
 * <pre>
 *   z = x_t·kernel + h_tm1·recurrent_kernel + bias          (given, [4H], blocks i, f, c, o)
 *   i = recurrent_activation(z_i)   f = recurrent_activation(z_f)   o = recurrent_activation(z_o)
 *   c = f * c_tm1 + i * activation(z_c)
 *   h = o * activation(c)
 * </pre>
 */
final class LstmCell {

    private LstmCell() {
    }

    /**
     * Advances one row by one step.
     *
     * @param z      pre-activations {@code [4H]} at {@code zOffset}
     * @param c      {@code c_tm1 [H]} at {@code stateOffset}, overwritten with the new c
     * @param h      overwritten with the new {@code h [H]} at {@code stateOffset}
     * @param units  H
     */
    static void step(float[] z, int zOffset, float[] c, float[] h, int stateOffset, int units,
                     Activation activation, Activation recurrentActivation) {
        int zi = zOffset;
        int zf = zOffset + units;
        int zc = zOffset + 2 * units;
        int zo = zOffset + 3 * units;
        for (int j = 0; j < units; j++) {
            float i = recurrentActivation.apply(z[zi + j]);
            float f = recurrentActivation.apply(z[zf + j]);
            float o = recurrentActivation.apply(z[zo + j]);
            float cNew = f * c[stateOffset + j] + i * activation.apply(z[zc + j]);
            c[stateOffset + j] = cNew;
            h[stateOffset + j] = o * activation.apply(cNew);
        }
    }
}
