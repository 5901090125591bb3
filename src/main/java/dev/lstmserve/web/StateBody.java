package dev.lstmserve.web;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * An LSTM state in JSON: {@code h, c [B][H]}, and optionally which layer (and direction) it belongs to, as the
 * response's {@code states} names it.
 */
@Schema(description = "LSTM state: h (last output) and c (cell state), [B][H] each; layer and direction optional"
        + " (checked when given)",
        example = "{\"h\": [[-0.7565803, -0.06854702]], \"c\": [[0.9029392, -0.12441138]]}")
record StateBody(double[][] h, double[][] c, String layer, String direction) {
}
