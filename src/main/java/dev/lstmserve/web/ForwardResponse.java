package dev.lstmserve.web;

import java.util.List;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Body of a successful {@code POST /lstm/forward}.
 *
 * @param outputs {@code [B][T][H]} with return_sequences, else {@code [B][H]}
 * @param state   {@code h, c [B][H]} when the run carries one state; absent without return_state
 * @param states  every state the run carries, when it carries several (a stack, a Bidirectional layer); absent
 *                without return_state
 */
record ForwardResponse(
        @ArraySchema(arraySchema = @Schema(description = "[B][T][H] when return_sequences, else [B][H] (the last"
                + " output, as Keras)"), schema = @Schema(description = "one row: [T][H] or [H]", types = "array"))
        Object[] outputs,
        @Schema(description = "final state, [B][H] each; present when return_state and the run carries one state")
        FloatState state,
        @Schema(description = "every final state in order, when return_state and the run carries several (stacked or"
                + " Bidirectional LSTMs); send it back as initial_states to carry on")
        List<LayerState> states,
        @Schema(description = "the served model's name", example = "seed-toy")
        String model) {

    record FloatState(float[][] h, float[][] c) {
    }

    record LayerState(String layer, String direction, float[][] h, float[][] c) {
    }
}
