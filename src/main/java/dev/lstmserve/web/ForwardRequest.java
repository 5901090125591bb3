package dev.lstmserve.web;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Body of {@code POST /lstm/forward} and {@code POST /lstm/predict}: exactly one of {@code tokens}, {@code text} and
 * {@code inputs}.
 */
@Schema(description = "Exactly one of tokens, text or inputs; optional initial_state and Keras flags.")
record ForwardRequest(
        @Schema(description = "int [B][T]: token ids, looked up in the model's Embedding",
                example = "[[7, 8, 0, 5], [6, 1, 3, 8], [2, 4, 5, 1]]")
        int[][] tokens,
        @Schema(description = "[B] windows of words for a model with a vocabulary: lower-cased, split on white space,"
                + " unknown words -> <_unk>; every window must have the same number of words")
        String[] text,
        @Schema(description = "float [B][T][E]: already embedded inputs")
        double[][][] inputs,
        @Schema(description = "optional; h and c each [B][H], or [1][H] broadcast to every row")
        StateBody initialState,
        @Schema(description = "outputs for every step [B][T][H] (default) or the last output [B][H]")
        Boolean returnSequences,
        @Schema(description = "return the final state h, c (default true)")
        Boolean returnState) {
}
