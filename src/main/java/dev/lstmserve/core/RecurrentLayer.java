package dev.lstmserve.core;

import java.util.List;

/**
 * A layer that carries state across steps ({@link Lstm}, {@link Bidirectional}): besides {@link #call}, it gives the
 * outputs of every step and its final states, and takes initial states, as Keras' {@code return_state=True} and
 * {@code initial_state=} do.
 */
public interface RecurrentLayer extends Layer {

    /** How many (h, c) pairs the layer carries: 1 for an LSTM, 2 for a Bidirectional LSTM (forward, backward). */
    int stateCount();

    /** H of each state. */
    int units();

    /** Keras' {@code return_sequences}: whether {@link #call} returns every step or only the last output. */
    boolean returnSequences();

    /**
     * Runs the layer over a batch of windows.
     *
     * @param inputs        {@code [B][T][E]} with its mask
     * @param initialStates {@link #stateCount()} states ({@code h, c [B][H]} or {@code [1][H]}); {@code null}, or a
     *                      {@code null} entry, for zeros
     * @return the outputs of every step as Keras returns them with {@code return_sequences=True}, masked like the
     *         inputs, and the final states
     * @throws IllegalArgumentException naming the input or state whose shape does not fit
     */
    RecurrentOutput forward(Tensor.Sequences inputs, List<LstmState> initialStates);

    /**
     * @param sequences {@code [B][T][H']} with the input's mask (Keras' RNN.compute_mask passes it on): what Keras
     *                  returns with {@code return_sequences=True}
     * @param last      {@code [B][H']}: what Keras returns with {@code return_sequences=False} (for an LSTM the last
     *                  step of {@code sequences}; for a Bidirectional layer each direction's own last output, merged)
     * @param states    the final states, {@link #stateCount()} of them
     */
    record RecurrentOutput(Tensor.Sequences sequences, float[][] last, List<LstmState> states) {
    }
}
