package dev.lstmserve.web;

import io.swagger.v3.oas.annotations.media.Schema;

/** An LSTM state in JSON: {@code h, c [B][H]}. */
@Schema(description = "LSTM state: h (last output) and c (cell state), [B][H] each")
record StateBody(double[][] h, double[][] c) {
}
