package dev.lstmserve.web;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Body of a successful {@code POST /lstm/forward}.
 *
 * @param outputs {@code [B][T][H]} with return_sequences, else {@code [B][H]}
 * @param state   {@code h, c [B][H]}; absent without return_state
 */
record ForwardResponse(
        @ArraySchema(arraySchema = @Schema(description = "[B][T][H] when return_sequences, else [B][H] (the last"
                + " output, as Keras)"), schema = @Schema(description = "one row: [T][H] or [H]", types = "array"))
        Object[] outputs,
        @Schema(description = "final state, [B][H] each; present when return_state")
        FloatState state,
        @Schema(description = "the served model's name", example = "seed-toy")
        String model) {

    record FloatState(float[][] h, float[][] c) {
    }
}
