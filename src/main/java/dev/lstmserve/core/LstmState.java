package dev.lstmserve.core;

/**
 * The carried state of an LSTM layer, as Keras returns it with {@code return_state=True}:
 * {@code h [B][H]} (the last output) and {@code c [B][H]} (the cell state).
 */
public record LstmState(float[][] h, float[][] c) {

    public LstmState {
        if (h == null || c == null) {
            throw new IllegalArgumentException("initial_state needs both h and c");
        }
    }

    /** The zero state Keras starts from when no initial state is given: {@code h, c [batch][units]}. */
    public static LstmState zeros(int batch, int units) {
        return new LstmState(new float[batch][units], new float[batch][units]);
    }

    /**
     * This state for a batch of {@code batch} rows: {@code [B][H]} as given, or a single row {@code [1][H]} repeated
     * for every row.
     *
     * @return {@code h, c [batch][units]}, sharing no arrays with this state
     * @throws IllegalArgumentException naming the tensor whose shape is neither {@code [batch][units]} nor
     *                                  {@code [1][units]}
     */
    public LstmState forBatch(int batch, int units) {
        return new LstmState(rows("h", h, batch, units), rows("c", c, batch, units));
    }

    private static float[][] rows(String name, float[][] state, int batch, int units) {
        if (state.length != batch && state.length != 1) {
            throw new IllegalArgumentException("initial_state." + name + " has " + state.length
                    + " rows; expected " + batch + " (batch) or 1");
        }
        for (int b = 0; b < state.length; b++) {
            if (state[b] == null || state[b].length != units) {
                throw new IllegalArgumentException("initial_state." + name + "[" + b + "] has "
                        + (state[b] == null ? 0 : state[b].length) + " values; expected " + units + " (units)");
            }
        }
        float[][] out = new float[batch][];
        for (int b = 0; b < batch; b++) {
            out[b] = state[state.length == 1 ? 0 : b].clone();
        }
        return out;
    }
}
