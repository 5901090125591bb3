package dev.lstmserve.inference;

import java.util.List;

/**
 * One forward request as the caller sent it, before any checks: exactly one of {@code tokens [B][T]},
 * {@code text [B]} and {@code inputs [B][T][E]}; an optional initial state {@code h, c [B][H] or [1][H]}; and the
 * Keras flags, {@code null} meaning the default ({@code true}).
 */
public record ForwardQuery(int[][] tokens, List<String> text, double[][][] inputs, double[][] initialH,
                           double[][] initialC, boolean hasInitialState, Boolean returnSequences, Boolean returnState) {

    public boolean returnSequencesOrDefault() {
        return returnSequences == null || returnSequences;
    }

    public boolean returnStateOrDefault() {
        return returnState == null || returnState;
    }
}
