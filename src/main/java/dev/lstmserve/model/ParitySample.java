package dev.lstmserve.model;

import dev.lstmserve.core.LstmState;

/**
 * A Keras-recorded check that travels with a model: an input, and the outputs Keras computed for it with the same
 * weights. Exactly one of {@code tokens [B][T]} and {@code inputs [B][T][E]} is set.
 *
 * @param endpoint        what Keras computed: the forward layer's outputs and state ({@code /lstm/forward}), or
 *                        {@code model.predict} ({@code /lstm/predict})
 * @param initialState    {@code h, c [B][H]} or {@code [1][H]} for the first recurrent layer, or {@code null} for zeros
 * @param returnSequences for {@link Endpoint#FORWARD}: whether {@code expectedOutputs} has every step
 * @param returnState     for {@link Endpoint#FORWARD}: whether {@code expectedH} and {@code expectedC} are set
 * @param expectedOutputs {@link Endpoint#FORWARD}: {@code [B][T][H]} when {@code returnSequences}, else {@code [B][H]};
 *                        {@link Endpoint#PREDICT}: what {@code model.predict} returned, {@code [B][N]} or
 *                        {@code [B][T][N]}
 * @param expectedH       {@code [B][H]}, or {@code null} when Keras did not return the state
 * @param expectedC       {@code [B][H]}, or {@code null} when Keras did not return the state
 * @param expectedStates  for a run that carries several states (a stack, a Bidirectional layer): every final state
 *                        in the order {@code /lstm/forward}'s {@code states} lists them, instead of {@code expectedH}
 *                        and {@code expectedC}; else {@code null}
 */
public record ParitySample(String name, Endpoint endpoint, int[][] tokens, float[][][] inputs, LstmState initialState,
                           boolean returnSequences, boolean returnState,
                           Object expectedOutputs, float[][] expectedH, float[][] expectedC,
                           java.util.List<LstmState> expectedStates) {

    /** Which computation a sample checks. */
    public enum Endpoint {
        /** The forward layer's outputs (and final state), as {@code POST /lstm/forward} returns them. */
        FORWARD,
        /** The whole model, as Keras' {@code model.predict} and {@code POST /lstm/predict} return it. */
        PREDICT
    }

    /** A {@link Endpoint#FORWARD} sample. */
    public ParitySample(String name, int[][] tokens, float[][][] inputs, LstmState initialState,
                        boolean returnSequences, boolean returnState,
                        Object expectedOutputs, float[][] expectedH, float[][] expectedC) {
        this(name, Endpoint.FORWARD, tokens, inputs, initialState, returnSequences, returnState, expectedOutputs,
                expectedH, expectedC, null);
    }

    /** A {@link Endpoint#PREDICT} sample. */
    public static ParitySample predict(String name, int[][] tokens, float[][][] inputs, LstmState initialState,
                                       Object expectedPredict) {
        return new ParitySample(name, Endpoint.PREDICT, tokens, inputs, initialState, false, false, expectedPredict,
                null, null, null);
    }
}
