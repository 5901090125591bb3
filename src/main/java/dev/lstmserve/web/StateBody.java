package dev.lstmserve.web;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * An LSTM state in JSON: {@code h, c [B][H]}, and optionally which layer (and direction) it belongs to, as the
 * response's {@code states} names it.
 */
@Schema(description = "LSTM state: h (last output) and c (cell state), [B][H] each; layer and direction optional"
        + " (checked when given)")
record StateBody(double[][] h, double[][] c, String layer, String direction) {
}
