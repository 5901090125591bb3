package dev.lstmserve.web;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Body of a successful {@code POST /lstm/forward}.
 *
 * @param outputs {@code [B][T][H]} with return_sequences, else {@code [B][H]}
 * @param state   {@code h, c [B][H]}; absent without return_state
 */
record ForwardResponse(
        @Schema(description = "[B][T][H] when return_sequences, else [B][H] (the last output, as Keras)",
                type = "array")
        Object outputs,
        @Schema(description = "final state, [B][H] each; present when return_state")
        FloatState state,
        @Schema(description = "the served model's name", example = "seed-toy")
        String model) {

    record FloatState(float[][] h, float[][] c) {
    }
}
