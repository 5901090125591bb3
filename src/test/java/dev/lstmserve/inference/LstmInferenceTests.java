package dev.lstmserve.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import dev.lstmserve.core.LstmState;
import dev.lstmserve.model.LstmModel;
import dev.lstmserve.model.ModelLoader;
import dev.lstmserve.model.ParitySample;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The service's engine on caller input: every bad input is refused with a message naming the field, value and
 * shape; good input is shaped as Keras returns it. Expected numbers are the oracle's, recorded in the models' parity
 * samples.
 */
class LstmInferenceTests {

    private static final LstmModel SEED = ModelLoader.loadDefault();
    private static final LstmModel INPUTS_ONLY = ModelLoader.load(Path.of("src/test/resources/models/inputs-only.json"));
    private static final LstmModel MASKED = ModelLoader.load(Path.of("src/test/resources/models/masked-toy.json"));
    private static final LstmModel MASKED_BACKWARDS =
            ModelLoader.load(Path.of("src/test/resources/models/masked-go-backwards.json"));

    private static final int[][] SEED_TOKENS = {{7, 8, 0, 5}, {6, 1, 3, 8}, {2, 4, 5, 1}};
    private static final List<String> SEED_TEXT = List.of("the word <_unk> is", "not a common word", "but flower is a");
    /** The seed notebook's initial h and c rows (tf.random.Generator.from_seed(42), first and second draw). */
    private static final double[] SEED_H_ROW = {-0.7565803, -0.06854702};
    private static final double[] SEED_C_ROW = {0.9029392, -0.12441138};

    private final LstmInference seed = new LstmInference(SEED);
    private final LstmInference inputsOnly = new LstmInference(INPUTS_ONLY);

    // ---------------------------------------------------------------- exactly one input

    @Test
    void exactlyOneOfTokensTextOrInputsIsRequired() {
        assertRefused(seed, query(null, null, null), null, "exactly one of tokens, text or inputs is required; got none");
        assertRefused(seed, query(SEED_TOKENS, SEED_TEXT, null), null,
                "exactly one of tokens, text or inputs is required; got tokens and text");
        assertRefused(seed, query(SEED_TOKENS, null, new double[1][1][2]), null,
                "exactly one of tokens, text or inputs is required; got tokens and inputs");
        assertRefused(seed, query(SEED_TOKENS, SEED_TEXT, new double[1][1][2]), null,
                "exactly one of tokens, text or inputs is required; got tokens and text and inputs");
    }

    // ---------------------------------------------------------------- empty and ragged

    @Test
    void anEmptyBatchIsRefused() {
        assertRefused(seed, tokens(new int[0][]), "tokens", "tokens is empty; expected [batch][time] with at least one row");
        assertRefused(seed, text(), "text", "text is empty; expected [batch] windows of words with at least one row");
        assertRefused(seed, inputs(new double[0][][]), "inputs",
                "inputs is empty; expected [batch][time][2] with at least one row");
    }

    @Test
    void anEmptyWindowIsRefused() {
        assertRefused(seed, tokens(new int[][] {{1, 2}, {}}), "tokens[1]",
                "tokens[1] is empty; every window needs at least one step");
        assertRefused(seed, text("the word", "  "), "text[1]", "text[1] = \"  \" has no words");
        assertRefused(seed, inputs(new double[][][] {{}}), "inputs[0]",
                "inputs[0] is empty; every window needs at least one step");
    }

    @Test
    void raggedWindowsAreRefused() {
        assertRefused(seed, tokens(new int[][] {{1, 2, 3}, {1, 2, 3}, {1, 2}}), "tokens[2]",
                "tokens[2] has 2 steps; expected 3 like tokens[0] (windows in a batch must have the same length)");
        assertRefused(seed, text("the word is", "a word"), "text[1]",
                "text[1] has 2 words; expected 3 like text[0] (every window must have the same number of words)");
        assertRefused(seed, inputs(new double[][][] {{{0.1, 0.2}, {0.3, 0.4}}, {{0.5, 0.6}}}), "inputs[1]",
                "inputs[1] has 1 steps; expected 2 like inputs[0] (windows in a batch must have the same length)");
        assertRefused(seed, inputs(new double[][][] {{{0.1, 0.2}, {0.3}}}), "inputs[0][1]",
                "inputs[0][1] has 1 features; expected 2 (the model's input size)");
    }

    @Test
    void missingRowsAreRefused() {
        assertRefused(seed, tokens(new int[][] {{1, 2}, null}), "tokens[1]",
                "tokens[1] is null; expected a window of token ids");
        assertRefused(seed, query(null, Arrays.asList("the word", null), null), "text[1]",
                "text[1] is null; expected a window of words");
        assertRefused(seed, inputs(new double[][][] {null}), "inputs[0]", "inputs[0] is null; expected [time][2]");
        assertRefused(seed, inputs(new double[][][] {{{0.1, 0.2}, null}}), "inputs[0][1]",
                "inputs[0][1] has no features; expected 2 (the model's input size)");
    }

    // ---------------------------------------------------------------- the model decides what it takes

    @Test
    void aTokenOutsideTheVocabularyIsNamedWithItsPosition() {
        assertRefused(seed, tokens(new int[][] {{7, 8, 0, 5}, {6, 1, 3, 12}}), "tokens[1][3]",
                "tokens[1][3] = 12 is outside the vocabulary [0, 9)");
        assertRefused(seed, tokens(new int[][] {{-1}}), "tokens[0][0]",
                "tokens[0][0] = -1 is outside the vocabulary [0, 9)");
        assertThat(seed.forward(tokens(new int[][] {{0, 8}})).h()).hasDimensions(1, 2);
    }

    @Test
    void textNeedsAModelWithAVocabulary() {
        assertRefused(inputsOnly, text("the word"), "text",
                "text needs a model with a vocabulary; model 'inputs-only' has none: send tokens or inputs");
    }

    @Test
    void tokensNeedAModelWithAnEmbedding() {
        assertRefused(inputsOnly, tokens(new int[][] {{1, 2}}), "tokens",
                "tokens needs a model with an Embedding; model 'inputs-only' takes inputs [batch][time][5]");
    }

    @Test
    void inputsMustHaveTheModelsFeatureSize() {
        assertRefused(seed, inputs(new double[][][] {{{0.1, 0.2, 0.3}}}), "inputs[0][0]",
                "inputs[0][0] has 3 features; expected 2 (the model's input size)");
        assertRefused(inputsOnly, inputs(new double[][][] {{{0.1, 0.2}}}), "inputs[0][0]",
                "inputs[0][0] has 2 features; expected 5 (the model's input size)");
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 3.5e38, -3.5e38, 1e300})
    void numbersThatAreNotFiniteFloat32AreRefused(double value) {
        assertRefused(seed, inputs(new double[][][] {{{0.1, 0.2}, {value, 0.4}}}), "inputs[0][1][0]",
                "inputs[0][1][0] = " + value + " is not a finite float32 (|x| ≤ 3.4028235e38)");
        assertRefused(seed, withState(tokens(SEED_TOKENS), new double[][] {{0.1, value}}, new double[][] {SEED_C_ROW}),
                "initial_state.h[0][1]", "initial_state.h[0][1] = " + value + " is not a finite float32");
    }

    @Test
    void theLargestFloat32IsAccepted() {
        ForwardResult result = seed.forward(inputs(new double[][][] {{{3.4e38, -Float.MAX_VALUE}}}));
        for (float h : result.h()[0]) {
            assertThat(Float.isFinite(h)).isTrue();
        }
    }

    // ---------------------------------------------------------------- initial_state

    @Test
    void anInitialStateMustHaveBatchRowsOrOne() {
        double[][] two = {SEED_H_ROW, SEED_H_ROW};
        double[][] three = {SEED_H_ROW, SEED_H_ROW, SEED_H_ROW};
        assertRefused(seed, withState(tokens(SEED_TOKENS), two, three), "initial_state.h",
                "initial_state.h has 2 rows; expected 3 (batch) or 1");
        assertRefused(seed, withState(tokens(SEED_TOKENS), three, two), "initial_state.c",
                "initial_state.c has 2 rows; expected 3 (batch) or 1");
        assertRefused(seed, withState(tokens(SEED_TOKENS), three, new double[][] {{0.1, 0.2, 0.3}}), "initial_state.c[0]",
                "initial_state.c[0] has 3 values; expected 2 (units)");
        assertRefused(seed, withState(tokens(SEED_TOKENS), new double[0][], three), "initial_state.h",
                "initial_state.h has 0 rows; expected 3 (batch) or 1");
        int[][] oneWindow = {SEED_TOKENS[0]};
        assertRefused(seed, withState(tokens(oneWindow), two, two), "initial_state.h",
                "initial_state.h has 2 rows; expected 1 (batch)");
        assertRefused(seed, withState(tokens(oneWindow), null, two), "initial_state.h",
                "initial_state.h is missing; initial_state needs both h and c, [1][2]");
    }

    @Test
    void anInitialStateNeedsBothHAndC() {
        double[][] one = {SEED_H_ROW};
        assertRefused(seed, withState(tokens(SEED_TOKENS), null, one), "initial_state.h",
                "initial_state.h is missing; initial_state needs both h and c, [3][2] or [1][2]");
        assertRefused(seed, withState(tokens(SEED_TOKENS), one, null), "initial_state.c",
                "initial_state.c is missing; initial_state needs both h and c, [3][2] or [1][2]");
    }

    @Test
    void aOneRowStateIsBroadcastToEveryRow() {
        ForwardResult broadcast = seed.forward(withState(tokens(SEED_TOKENS), new double[][] {SEED_H_ROW},
                new double[][] {SEED_C_ROW}));
        ForwardResult full = seed.forward(withState(tokens(SEED_TOKENS), new double[][] {SEED_H_ROW, SEED_H_ROW,
                SEED_H_ROW}, new double[][] {SEED_C_ROW, SEED_C_ROW, SEED_C_ROW}));
        assertSameBits((float[][][]) full.outputs(), (float[][][]) broadcast.outputs());
        assertSameBits(full.c(), broadcast.c());
    }

    // ---------------------------------------------------------------- shaped as Keras returns it

    @Test
    void byDefaultTheWholeSequenceAndTheStateAreReturnedAsKerasComputedThem() {
        ParitySample keras = sample(SEED, "seed-toy/return_sequences+return_state");
        ForwardResult result = seed.forward(seedQuery(null, null));

        assertThat(result.outputs()).isInstanceOf(float[][][].class);
        assertAllclose((float[][][]) result.outputs(), (float[][][]) keras.expectedOutputs());
        assertAllclose(result.h(), keras.expectedH());
        assertAllclose(result.c(), keras.expectedC());
    }

    @Test
    void withoutReturnSequencesTheLastOutputIsReturnedAsBH() {
        ParitySample keras = sample(SEED, "seed-toy/last_output");
        ForwardResult result = seed.forward(seedQuery(false, false));

        assertThat(result.outputs()).isInstanceOf(float[][].class);
        assertThat((float[][]) result.outputs()).hasDimensions(3, 2);
        assertAllclose((float[][]) result.outputs(), (float[][]) keras.expectedOutputs());
        assertThat(result.h()).isNull();
        assertThat(result.c()).isNull();
    }

    @Test
    void withoutReturnStateThereIsNoHOrC() {
        ParitySample keras = sample(SEED, "seed-toy/return_sequences");
        ForwardResult result = seed.forward(seedQuery(true, false));

        assertAllclose((float[][][]) result.outputs(), (float[][][]) keras.expectedOutputs());
        assertThat(result.h()).isNull();
        assertThat(result.c()).isNull();

        ForwardResult stateOnly = seed.forward(seedQuery(false, true));
        assertThat((float[][]) stateOnly.outputs()).hasDimensions(3, 2);
        assertAllclose(stateOnly.h(), sample(SEED, "seed-toy/return_state").expectedH());
    }

    @Test
    void textIsTokenisedLikeTheSeed() {
        ForwardResult fromTokens = seed.forward(withState(tokens(SEED_TOKENS), new double[][] {SEED_H_ROW},
                new double[][] {SEED_C_ROW}));
        ForwardResult fromText = seed.forward(withState(query(null, List.of("The WORD <_unk> is", "not a  common word",
                "but\tflower is A"), null), new double[][] {SEED_H_ROW}, new double[][] {SEED_C_ROW}));
        ForwardResult unknownWord = seed.forward(withState(query(null, List.of("the word zebra is", "not a common word",
                "but flower is a"), null), new double[][] {SEED_H_ROW}, new double[][] {SEED_C_ROW}));

        assertSameBits((float[][][]) fromTokens.outputs(), (float[][][]) fromText.outputs());
        assertSameBits((float[][][]) fromTokens.outputs(), (float[][][]) unknownWord.outputs());
        assertSameBits(fromTokens.c(), fromText.c());
    }

    @Test
    void textThroughAMaskingEmbeddingMatchesKeras() {
        // masked-toy: <pad> is id 0 and masked; the sample's tokens [[2,3,4,0],[0,2,3,5],[4,0,0,1]] as words.
        ParitySample keras = sample(MASKED, "masked-toy/padded");
        assertThat(keras.tokens()).isDeepEqualTo(new int[][] {{2, 3, 4, 0}, {0, 2, 3, 5}, {4, 0, 0, 1}});
        ForwardResult result = new LstmInference(MASKED).forward(
                text("the cat sat <pad>", "<pad> the cat down", "sat <pad> <PAD> zebra"));

        assertAllclose((float[][][]) result.outputs(), (float[][][]) keras.expectedOutputs());
        assertAllclose(result.h(), keras.expectedH());
        assertAllclose(result.c(), keras.expectedC());
    }

    @Test
    void inputsAreTheEmbeddingRowsOfTheTokens() {
        float[][] embeddings = SEED.embedding().embeddings();
        double[][][] embedded = new double[SEED_TOKENS.length][][];
        for (int b = 0; b < embedded.length; b++) {
            embedded[b] = new double[SEED_TOKENS[b].length][];
            for (int t = 0; t < SEED_TOKENS[b].length; t++) {
                float[] row = embeddings[SEED_TOKENS[b][t]];
                embedded[b][t] = new double[] {row[0], row[1]};
            }
        }
        assertSameBits((float[][][]) seed.forward(tokens(SEED_TOKENS)).outputs(),
                (float[][][]) seed.forward(inputs(embedded)).outputs());
    }

    @Test
    void theReturnedStateCarriesOverToTheNextRequest() {
        ForwardResult whole = seed.forward(tokens(SEED_TOKENS));
        ForwardResult first = seed.forward(tokens(new int[][] {{7, 8}, {6, 1}, {2, 4}}));
        ForwardResult second = seed.forward(withState(tokens(new int[][] {{0, 5}, {3, 8}, {5, 1}}), widen(first.h()),
                widen(first.c())));

        float[][][] outputs = (float[][][]) whole.outputs();
        for (int b = 0; b < 3; b++) {
            assertArrayEquals(outputs[b][2], ((float[][][]) second.outputs())[b][0]);
            assertArrayEquals(outputs[b][3], ((float[][][]) second.outputs())[b][1]);
        }
        assertSameBits(whole.h(), second.h());
        assertSameBits(whole.c(), second.c());
    }

    // ---------------------------------------------------------------- masking

    static Stream<Arguments> maskedLastStepSamples() {
        return Stream.of(MASKED, MASKED_BACKWARDS).flatMap(model -> model.parity().stream()
                .filter(sample -> sample.name().contains("last-output")
                        || sample.name().endsWith("sequences-initial-state"))
                .map(sample -> Arguments.argumentSet(sample.name(), model, sample)));
    }

    @ParameterizedTest
    @MethodSource("maskedLastStepSamples")
    void maskedLastStepsGiveTheLastUnmaskedOutputAndZerosForAnAllMaskedWindowLikeKeras(LstmModel model,
                                                                                      ParitySample keras) {
        // The oracle's windows around the all-masked one (tools/keras-oracle, MASKED_LAST_STEP_TOKENS): Keras' last
        // output is that of the last unmasked step in processing order, and zeros when every step is masked, even
        // with an initial state, which h and c then keep.
        ForwardResult result = new LstmInference(model).forward(query(keras));

        assertAllclose(keras.name(), result.outputs(), keras.expectedOutputs());
        assertAllclose(result.h(), keras.expectedH());
        assertAllclose(result.c(), keras.expectedC());
        int allMasked = 0;
        assertThat(keras.tokens()[allMasked]).containsOnly(0);
        float[] lastOutput = keras.returnSequences() ? ((float[][][]) result.outputs())[allMasked][3]
                : ((float[][]) result.outputs())[allMasked];
        assertThat(lastOutput).as("last output of the all-masked window").containsOnly(0f);
        float[] initialH = keras.initialState() == null ? new float[model.units()]
                : keras.initialState().h()[allMasked];
        assertThat(result.h()[allMasked]).as("h of the all-masked window").containsExactly(initialH);
    }

    @Test
    void inputsOnAMaskingModelSkipTheEmbeddingAndItsMask() {
        // README: inputs bypass the Embedding and its mask. The sample's inputs hold the padding id's row and
        // all-zero steps, and the oracle ran the LSTM alone over them: neither kind of step may be masked.
        ParitySample keras = sample(MASKED, "masked-toy/inputs-skip-the-mask");
        assertThat(keras.inputs()[0][1]).containsExactly(MASKED.embedding().embeddings()[0]);
        assertThat(keras.inputs()[0][2]).containsOnly(0f);

        ForwardResult result = new LstmInference(MASKED).forward(query(keras));

        assertAllclose((float[][][]) result.outputs(), (float[][][]) keras.expectedOutputs());
        assertAllclose(result.h(), keras.expectedH());
        assertAllclose(result.c(), keras.expectedC());
    }

    // ---------------------------------------------------------------- helpers

    /** The request a parity sample recorded. */
    private static ForwardQuery query(ParitySample sample) {
        double[][][] inputs = null;
        if (sample.inputs() != null) {
            inputs = new double[sample.inputs().length][][];
            for (int b = 0; b < inputs.length; b++) {
                inputs[b] = widen(sample.inputs()[b]);
            }
        }
        LstmState state = sample.initialState();
        return new ForwardQuery(sample.tokens(), null, inputs, state == null ? null : widen(state.h()),
                state == null ? null : widen(state.c()), state != null, sample.returnSequences(), sample.returnState());
    }

    private static void assertAllclose(String what, Object actual, Object keras) {
        assertThat(actual).as(what).isInstanceOf(keras.getClass());
        if (keras instanceof float[][][] sequences) {
            assertAllclose((float[][][]) actual, sequences);
        } else {
            assertAllclose((float[][]) actual, (float[][]) keras);
        }
    }

    private static ForwardQuery query(int[][] tokens, List<String> text, double[][][] inputs) {
        return new ForwardQuery(tokens, text, inputs, null, null, false, null, null);
    }

    private static ForwardQuery tokens(int[][] tokens) {
        return query(tokens, null, null);
    }

    private static ForwardQuery text(String... windows) {
        return query(null, List.of(windows), null);
    }

    private static ForwardQuery inputs(double[][][] inputs) {
        return query(null, null, inputs);
    }

    private static ForwardQuery withState(ForwardQuery q, double[][] h, double[][] c) {
        return new ForwardQuery(q.tokens(), q.text(), q.inputs(), h, c, true, q.returnSequences(), q.returnState());
    }

    /** The seed notebook's request: its windows and its initial state, one row per window. */
    private static ForwardQuery seedQuery(Boolean returnSequences, Boolean returnState) {
        double[][] h = {SEED_H_ROW, SEED_H_ROW, SEED_H_ROW};
        double[][] c = {SEED_C_ROW, SEED_C_ROW, SEED_C_ROW};
        return new ForwardQuery(SEED_TOKENS, null, null, h, c, true, returnSequences, returnState);
    }

    private static ParitySample sample(LstmModel model, String name) {
        return model.parity().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(model.name() + " has no sample " + name));
    }

    private static void assertRefused(LstmInference inference, ForwardQuery query, String field, String message) {
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> inference.forward(query));
        assertThat(e).as("expected InvalidInputException: %s", message).isNotNull();
        assertThat(e.getMessage()).startsWith(message);
        assertThat(e.field()).isEqualTo(field);
    }

    /** np.allclose with API.md's rtol 1e-5, atol 1e-6. */
    private static void assertAllclose(float[][] actual, float[][] keras) {
        assertThat(actual).hasDimensions(keras.length, keras[0].length);
        for (int r = 0; r < keras.length; r++) {
            for (int j = 0; j < keras[r].length; j++) {
                double tolerance = 1e-6 + 1e-5 * Math.abs(keras[r][j]);
                assertThat((double) actual[r][j]).as("[%d][%d]", r, j)
                        .isCloseTo(keras[r][j], within(tolerance));
            }
        }
    }

    private static void assertAllclose(float[][][] actual, float[][][] keras) {
        assertThat(actual.length).isEqualTo(keras.length);
        for (int b = 0; b < keras.length; b++) {
            assertAllclose(actual[b], keras[b]);
        }
    }

    private static void assertSameBits(float[][] expected, float[][] actual) {
        assertThat(actual.length).isEqualTo(expected.length);
        for (int r = 0; r < expected.length; r++) {
            assertArrayEquals(expected[r], actual[r], "row " + r);
        }
    }

    private static void assertSameBits(float[][][] expected, float[][][] actual) {
        assertThat(actual.length).isEqualTo(expected.length);
        for (int b = 0; b < expected.length; b++) {
            assertSameBits(expected[b], actual[b]);
        }
    }

    private static double[][] widen(float[][] rows) {
        double[][] out = new double[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            out[r] = new double[rows[r].length];
            for (int j = 0; j < rows[r].length; j++) {
                out[r][j] = rows[r][j];
            }
        }
        return out;
    }
}
