package dev.lstmserve.web;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Body of {@code POST /lstm/predict}: exactly one of {@code tokens}, {@code text} and {@code inputs}.
 */
@Schema(description = "Exactly one of tokens, text or inputs; optional initial_state (or initial_states) and top_k.")
record PredictRequest(
        @Schema(description = "int [B][T]: token ids, looked up in the model's Embedding",
                example = "[[7, 8, 0, 5], [6, 1, 3, 8], [2, 4, 5, 1]]")
        int[][] tokens,
        @Schema(description = "[B] windows of words for a model with a vocabulary")
        String[] text,
        @Schema(description = "float [B][T][E]: already embedded inputs (they skip the model's Embedding and its mask)")
        double[][][] inputs,
        @Schema(description = "optional; the first recurrent layer's h and c, each [B][H], or [1][H] broadcast to every"
                + " row")
        StateBody initialState,
        @Schema(description = "optional, instead of initial_state: one {h, c} per state the model carries, in the"
                + " order GET /lstm/model's states lists them")
        List<StateBody> initialStates,
        @Schema(description = "optional, for a model whose last layer is a softmax: list the k most probable classes"
                + " per row (and per step for sequence outputs)", example = "3")
        Integer topK) {
}
