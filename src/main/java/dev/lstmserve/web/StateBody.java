package dev.lstmserve.web;

import io.swagger.v3.oas.annotations.media.Schema;

/** An LSTM state in JSON: {@code h, c [B][H]}. */
@Schema(description = "LSTM state: h (last output) and c (cell state), [B][H] each",
        example = "{\"h\": [[-0.7565803, -0.06854702]], \"c\": [[0.9029392, -0.12441138]]}")
record StateBody(double[][] h, double[][] c) {
}
