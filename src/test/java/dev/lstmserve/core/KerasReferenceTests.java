package dev.lstmserve.core;

import static dev.lstmserve.core.Fixtures.flat;
import static dev.lstmserve.core.Fixtures.matrix;
import static dev.lstmserve.core.Fixtures.tensor3;
import static dev.lstmserve.core.Fixtures.vectorOrNull;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.lstmserve.SharedDir;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The engine against numbers that Keras itself wrote, read in place from {@code ../shared/keras-reference} (see its
 * README): the nine keras-js LSTM cases (Keras 2.0/2.1, TF backend) and the tf.keras / PyKeras goldens from tfjs'
 * {@code recurrent_test.ts}. All of them use Keras 2, so {@code hard_sigmoid} is {@code clip(0.2x + 0.5, 0, 1)}.
 * Without {@code ../shared} they skip with a message, or fail under {@code LSTM_REQUIRE_SHARED=true} (CI,
 * {@link SharedDir}).
 */
class KerasReferenceTests {

    /**
     * keras-js rounded its outputs to 6 decimals after computing them (parity-cases/*.json, "source"): atol 1e-5, as
     * keras-reference/README.md says.
     */
    private static final double KERAS_JS_ATOL = 1e-5;
    /** The contract's tolerances (API.md), the loosest a golden is held to. */
    private static final double RTOL = 1e-5;
    private static final double ATOL = 1e-6;
    /** float32 results are good to about an ulp of 1, so a golden is never held tighter than this. */
    private static final double FLOAT32_FLOOR = 1e-6;

    /** Keeps the decimals as written, so each golden is held to the precision it was printed with. */
    private static final JsonMapper DECIMALS = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private static final Map<String, Double> MAX_ABS_ERROR = new TreeMap<>();

    private static Path referenceDir() {
        return Fixtures.sharedDir().resolve("keras-reference");
    }

    private static void assumeSharedReferences() {
        SharedDir.assumePresent(referenceDir(), "the real-Keras reference tests");
    }

    @AfterAll
    static void printMaxAbsErrors() {
        StringBuilder report = new StringBuilder("Max abs error against real Keras (../shared/keras-reference):");
        MAX_ABS_ERROR.forEach((set, error) -> report.append(String.format("%n  %-52s %.3g", set, error)));
        System.out.println(report);
    }

    private static void record(String set, double error) {
        synchronized (MAX_ABS_ERROR) {
            MAX_ABS_ERROR.merge(set, error, Math::max);
        }
    }

    static Stream<Arguments> kerasJsCases() {
        if (!Files.isDirectory(referenceDir())) {
            // One invocation that skips with the reason, so the report says why rather than showing nothing.
            return Stream.of(Arguments.of(Named.of("../shared absent", referenceDir()), EnginePath.AUTO));
        }
        return Fixtures.jsonFiles(referenceDir().resolve("parity-cases")).stream()
                .flatMap(file -> Stream.of(EnginePath.values())
                        .map(path -> Arguments.of(Named.of(file.getFileName().toString(), file), path)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kerasJsCases")
    void matchesKerasJsCase(Path file, EnginePath path) {
        assumeSharedReferences();
        JsonNode c = Fixtures.read(file);
        LstmWeights weights = LstmWeights.of(matrix(c.get("kernel")), matrix(c.get("recurrent_kernel")),
                vectorOrNull(c.get("bias")));
        // Written by Keras 2.0/2.1: hard_sigmoid is the Keras 2 form.
        LstmLayer lstm = new LstmLayer(weights, Activation.byKerasName(c.get("activation").asString(), 2),
                Activation.byKerasName(c.get("recurrent_activation").asString(), 2),
                c.get("go_backwards").booleanValue(), path.options);
        float[][][] inputs = tensor3(c.get("inputs"));

        // stateful_calls: 2 means Keras' model.predict ran twice on the same input with a stateful layer; the
        // expected numbers are the second call's, which starts from the state the first call ended with.
        int calls = c.get("stateful_calls").intValue();
        assertThat(calls).isBetween(1, 2);
        LstmResult result = null;
        LstmState state = null;
        for (int call = 0; call < calls; call++) {
            result = lstm.forward(inputs, state);
            state = result.state();
        }

        JsonNode expected = c.get("expected");
        float[] actual;
        float[] keras;
        if (c.get("return_sequences").booleanValue()) {
            // The whole sequence as Keras returns it: reversed time order under go_backwards.
            actual = flat(result.outputs());
            keras = flat(tensor3(expected.get("sequences")));
        } else {
            actual = flat(result.lastOutputs());
            keras = flat(matrix(expected.get("last_h")));
        }
        double error = Fixtures.assertAllclose(file.getFileName().toString(), actual, keras, 0, KERAS_JS_ATOL);
        record("keras-js parity-cases, " + path, error);
    }

    @Test
    void everyKerasJsCaseIsThere() {
        assumeSharedReferences();
        // keras-reference/README.md: 9 single-sample cases; a lost file must not shrink the suite silently.
        assertThat(Fixtures.jsonFiles(referenceDir().resolve("parity-cases")))
                .extracting(p -> p.getFileName().toString())
                .hasSize(9)
                .allMatch(name -> name.startsWith("kerasjs_LSTM_"));
    }

    /**
     * tf.keras (TF 1.5): LSTM(5) with kernel, recurrent_kernel and bias all ones over ones[4, 2, 2]; every element of
     * the output is the golden at t0 and t1, and of c the golden c.
     */
    @Test
    void allOnesWeightsMatchTfKerasGolden() {
        assumeSharedReferences();
        JsonNode golden = golden("ones_TF1.5");
        int units = golden.get("units").intValue();
        int[] shape = onesShape(golden.get("input").asString());
        assertThat(shape[1]).as("time steps (goldens at t0 and t1)").isEqualTo(2);
        LstmLayer lstm = allOnesLstm(golden, shape[2], units);

        LstmResult result = lstm.forward(filled(shape, 1f), null);

        JsonNode expected = golden.get("expected");
        String set = "tfjs golden ones_TF1.5";
        for (int b = 0; b < shape[0]; b++) {
            checkGolden(set, "outputs[" + b + "][0]", result.outputs()[b][0], expected.get("h_t0"));
            checkGolden(set, "outputs[" + b + "][1]", result.outputs()[b][1], expected.get("h_t1"));
            checkGolden(set, "h[" + b + "]", result.state().h()[b], expected.get("h_t1"));
            checkGolden(set, "c[" + b + "]", result.state().c()[b], expected.get("c_final"));
        }
    }

    /**
     * PyKeras 2.x: a stateful LSTM(5) with all-ones weights, {@code model.predict(ones[4, 3, 2])} twice; the second
     * predict continues from the state the first one left, which here is done by carrying the state over.
     */
    @Test
    void statefulSecondPredictMatchesPyKerasGolden() {
        assumeSharedReferences();
        JsonNode golden = golden("stateful_ones");
        assertThat(golden.get("stateful").booleanValue()).isTrue();
        int units = golden.get("units").intValue();
        int[] shape = onesShape(golden.get("input").asString());
        LstmLayer lstm = allOnesLstm(golden, shape[2], units);
        float[][][] ones = filled(shape, 1f);

        LstmResult first = lstm.forward(ones, null);
        LstmResult second = lstm.forward(ones, first.state());

        JsonNode expected = golden.get("expected");
        for (int b = 0; b < shape[0]; b++) {
            checkGolden("tfjs golden stateful_ones, first predict", "first predict[" + b + "]",
                    first.lastOutputs()[b], expected.get("first_predict"));
            checkGolden("tfjs golden stateful_ones, second predict", "second predict[" + b + "]",
                    second.lastOutputs()[b], expected.get("second_predict"));
        }
    }

    /**
     * PyKeras 2.x: Embedding(4, 2, mask_zero) → LSTM(2, go_backwards) → Dense(1, kernel ones, bias 0), with asymmetric
     * weights so that a wrong gate order or time direction shows. Dense of ones is the sum of the LSTM's last output.
     */
    @Test
    void maskedGoBackwardsEmbeddingLstmDenseMatchesPyKerasGolden() {
        assumeSharedReferences();
        JsonNode golden = golden("mask_goBackwards_asymmetric");
        // The architecture is only described in prose; these are the parts of it the test relies on.
        assertThat(golden.get("model").asString())
                .contains("mask_zero", "LSTM(2, go_backwards=True)", "Dense(1, kernel=ones, bias=0)");
        Embedding embedding = new Embedding(matrix(golden.get("embedding")), true);
        LstmWeights weights = LstmWeights.of(matrix(golden.get("kernel")), matrix(golden.get("recurrent_kernel")),
                Fixtures.vector(golden.get("bias")));
        // "hard_sigmoid (Keras 2 default)"; activation is not given: Keras' default, tanh.
        String recurrent = golden.get("recurrent_activation").asString().split(" ")[0];
        LstmLayer lstm = new LstmLayer(weights, Activation.TANH, Activation.byKerasName(recurrent, 2), true);
        int[][] xs = Fixtures.intMatrix(golden.get("xs"));

        LstmResult result = lstm.forward(embedding.lookup(xs), embedding.mask(xs), null);

        JsonNode expected = golden.get("expected_dense_out");
        for (int b = 0; b < xs.length; b++) {
            float dense = 0f;
            for (float h : result.lastOutputs()[b]) {
                dense += h;
            }
            checkGolden("tfjs golden mask_goBackwards_asymmetric (dense out)", "dense out[" + b + "] for "
                    + Arrays.toString(xs[b]), new float[] {dense}, expected.get(b).get(0));
        }
    }

    private static JsonNode golden(String name) {
        JsonNode goldens = DECIMALS.readTree(referenceDir().resolve("tfjs_recurrent_test_goldens.json"));
        for (JsonNode c : goldens.get("cases")) {
            if (c.get("name").asString().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("tfjs_recurrent_test_goldens.json has no case " + name);
    }

    /** kernel, recurrent_kernel and bias all ones; tanh (Keras' default) and hard_sigmoid (Keras 2's default). */
    private static LstmLayer allOnesLstm(JsonNode golden, int inputSize, int units) {
        assertThat(golden.get("kernel").asString()).isEqualTo("ones");
        assertThat(golden.get("recurrent_kernel").asString()).isEqualTo("ones");
        // "ones" (or "ones + unit_forget_bias": the forget block is 1.0 either way, as its note says).
        assertThat(golden.get("bias").asString()).startsWith("ones");
        assertThat(golden.get("recurrent_activation").asString()).startsWith("hard_sigmoid");
        float[] bias = new float[4 * units];
        Arrays.fill(bias, 1f);
        LstmWeights weights = LstmWeights.of(filled(inputSize, 4 * units, 1f), filled(units, 4 * units, 1f), bias);
        return new LstmLayer(weights, Activation.TANH, Activation.byKerasName("hard_sigmoid", 2), false);
    }

    /** {@code "ones[4,2,2]"} → {@code [4, 2, 2]}. */
    private static int[] onesShape(String description) {
        Matcher m = Pattern.compile("ones\\[(\\d+),(\\d+),(\\d+)]").matcher(description);
        assertThat(m.matches()).as("input description %s", description).isTrue();
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
    }

    /**
     * Every value of {@code actual} equals the golden within the contract's {@code rtol 1e-5, atol 1e-6} (numpy's
     * {@code allclose}), and within the precision the golden was printed with when that is tighter (half a unit in its
     * last decimal, but never below what float32 allows). The shortest golden, stateful_ones' first predict, is
     * printed as {@code 0.995}, which alone would allow 5e-4: the contract holds it to 1.1e-5 (the all-ones LSTM
     * gives tanh(c = 2.99505…) = 0.9950057, 5.7e-6 away).
     */
    private static void checkGolden(String set, String what, float[] actual, JsonNode golden) {
        double keras = golden.doubleValue();
        double printed = golden.isIntegralNumber()
                ? FLOAT32_FLOOR
                : Math.max(FLOAT32_FLOOR, 0.5 * Math.pow(10, -golden.decimalValue().scale()));
        double tolerance = Math.min(ATOL + RTOL * Math.abs(keras), printed);
        for (int j = 0; j < actual.length; j++) {
            double error = Math.abs(actual[j] - keras);
            assertThat(error).as("%s[%d] = %s; Keras golden %s (tolerance %s)", what, j, actual[j], golden, tolerance)
                    .isLessThanOrEqualTo(tolerance);
            record(set, error);
        }
    }

    private static float[][][] filled(int[] shape, float value) {
        float[][][] out = new float[shape[0]][][];
        for (int b = 0; b < shape[0]; b++) {
            out[b] = filled(shape[1], shape[2], value);
        }
        return out;
    }

    private static float[][] filled(int rows, int columns, float value) {
        float[][] out = new float[rows][columns];
        for (float[] row : out) {
            Arrays.fill(row, value);
        }
        return out;
    }
}
