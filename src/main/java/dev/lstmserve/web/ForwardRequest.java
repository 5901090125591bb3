package dev.lstmserve.web;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Body of {@code POST /lstm/forward}: exactly one of {@code tokens}, {@code text} and {@code inputs}.
 */
@Schema(description = "Exactly one of tokens, text or inputs; optional initial_state (or initial_states), Keras flags"
        + " and the recurrent layer to return.")
record ForwardRequest(
        @Schema(description = "int [B][T]: token ids, looked up in the model's Embedding",
                example = "[[7, 8, 0, 5], [6, 1, 3, 8], [2, 4, 5, 1]]")
        int[][] tokens,
        @Schema(description = "[B] windows of words for a model with a vocabulary: lower-cased, split on white space,"
                + " unknown words -> <_unk>; every window must have the same number of words")
        String[] text,
        @Schema(description = "float [B][T][E]: already embedded inputs (they skip the model's Embedding and its mask)")
        double[][][] inputs,
        @Schema(description = "optional; the first recurrent layer's h and c, each [B][H], or [1][H] broadcast to every"
                + " row")
        StateBody initialState,
        @Schema(description = "optional, instead of initial_state: one {h, c} per state the run carries, in the order"
                + " the response's states lists them (an LSTM carries one, a Bidirectional layer two: forward,"
                + " backward)")
        List<StateBody> initialStates,
        @Schema(description = "outputs for every step [B][T][H] (default) or the last output [B][H]")
        Boolean returnSequences,
        @Schema(description = "return the final state(s) (default true)")
        Boolean returnState,
        @Schema(description = "optional: the recurrent layer whose outputs to return, by name (default: the last"
                + " recurrent layer, GET /lstm/model's forward_layer)")
        String layer) {
}
