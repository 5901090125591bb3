package dev.lstmserve.inference;

import java.util.List;

/**
 * One request to {@code /lstm/forward} or {@code /lstm/predict} as the caller sent it, before any checks: exactly one
 * of {@code tokens [B][T]}, {@code text [B]} and {@code inputs [B][T][E]}; optional initial states; and the options,
 * {@code null} meaning the default.
 *
 * @param initialState    {@code h, c [B][H] or [1][H]} for the first recurrent layer, or {@code null}
 * @param initialStates   one {@code h, c} per state the run carries (an LSTM one, a Bidirectional layer two), or
 *                        {@code null}; at most one of {@code initialState} and {@code initialStates}
 * @param returnSequences forward: every step (default) or the last output
 * @param returnState     forward: the final state too (default)
 * @param layer           forward: the recurrent layer to return, by name; {@code null} for the last one
 * @param topK            predict: how many most probable classes to list per row (and step), or {@code null}
 */
public record ForwardQuery(int[][] tokens, List<String> text, double[][][] inputs, StateQuery initialState,
                           List<StateQuery> initialStates, Boolean returnSequences, Boolean returnState, String layer,
                           Integer topK) {

    /** A forward query with at most one initial state, as for a model with one LSTM layer. */
    public ForwardQuery(int[][] tokens, List<String> text, double[][][] inputs, double[][] initialH,
                        double[][] initialC, boolean hasInitialState, Boolean returnSequences, Boolean returnState) {
        this(tokens, text, inputs, hasInitialState ? new StateQuery(initialH, initialC, null, null) : null, null,
                returnSequences, returnState, null, null);
    }

    public boolean returnSequencesOrDefault() {
        return returnSequences == null || returnSequences;
    }

    public boolean returnStateOrDefault() {
        return returnState == null || returnState;
    }

    /**
     * One state as sent: {@code h, c [B][H] or [1][H]}.
     *
     * @param layer     optional: the recurrent layer it belongs to, checked when given
     * @param direction optional: {@code forward} or {@code backward} inside a Bidirectional layer, checked when given
     */
    public record StateQuery(double[][] h, double[][] c, String layer, String direction) {
    }
}
