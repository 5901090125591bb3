package dev.lstmserve.inference;

import java.util.List;

/**
 * What {@code /lstm/forward} returns, shaped as Keras returns it.
 *
 * @param outputs the forward layer's outputs: {@code float[B][T][H]} with return_sequences, else {@code float[B][H]}
 * @param h       {@code [B][H]} when the run carries one state and return_state, else {@code null}
 * @param c       {@code [B][H]} when the run carries one state and return_state, else {@code null}
 * @param states  every state the run carries, in order, when it carries several and return_state; else {@code null}
 */
public record ForwardResult(Object outputs, float[][] h, float[][] c, List<LayerState> states) {

    public ForwardResult(Object outputs, float[][] h, float[][] c) {
        this(outputs, h, c, null);
    }

    /**
     * One final state of a run.
     *
     * @param layer     the recurrent layer's name
     * @param direction {@code forward} or {@code backward} in a Bidirectional layer, else {@code null}
     */
    public record LayerState(String layer, String direction, float[][] h, float[][] c) {
    }
}
