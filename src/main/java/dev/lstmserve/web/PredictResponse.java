package dev.lstmserve.web;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Body of a successful {@code POST /lstm/predict}.
 *
 * @param outputs what Keras' {@code model.predict} returns, {@code [B][N]} or {@code [B][T][N]}
 * @param topK    with top_k: {@code [B][k]} or {@code [B][T][k]} classes, most probable first
 */
record PredictResponse(
        @ArraySchema(arraySchema = @Schema(description = "what Keras' model.predict returns: [B][N] or [B][T][N]"),
                schema = @Schema(description = "one row", types = "array"))
        Object[] outputs,
        @Schema(description = "with top_k: per row (and step), the k most probable classes {id, probability, word}")
        Object topK,
        @Schema(description = "the served model's name", example = "seed-toy")
        String model) {
}
