package dev.lstmserve.inference;

/**
 * What the served LSTM returns, shaped as Keras returns it.
 *
 * @param outputs {@code float[B][T][H]} with return_sequences, else {@code float[B][H]} (the last output)
 * @param h       {@code [B][H]}, or {@code null} without return_state
 * @param c       {@code [B][H]}, or {@code null} without return_state
 */
public record ForwardResult(Object outputs, float[][] h, float[][] c) {
}
