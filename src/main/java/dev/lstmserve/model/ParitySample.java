package dev.lstmserve.model;

import dev.lstmserve.core.LstmState;

/**
 * A Keras-recorded check that travels with a model: an input, and the outputs Keras computed for it with the same
 * weights. Exactly one of {@code tokens [B][T]} and {@code inputs [B][T][E]} is set.
 *
 * @param initialState    {@code h, c [B][H]} or {@code [1][H]}, or {@code null} for zeros
 * @param expectedOutputs {@code [B][T][H]} when {@code returnSequences}, else {@code [B][H]}
 * @param expectedH       {@code [B][H]}, or {@code null} when Keras did not return the state
 * @param expectedC       {@code [B][H]}, or {@code null} when Keras did not return the state
 */
public record ParitySample(String name, int[][] tokens, float[][][] inputs, LstmState initialState,
                           boolean returnSequences, boolean returnState,
                           Object expectedOutputs, float[][] expectedH, float[][] expectedC) {
}
