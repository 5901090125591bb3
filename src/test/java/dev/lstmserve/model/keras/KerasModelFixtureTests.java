package dev.lstmserve.model.keras;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.lstmserve.inference.ForwardQuery;
import dev.lstmserve.inference.ForwardQuery.StateQuery;
import dev.lstmserve.inference.ForwardResult;
import dev.lstmserve.inference.LstmInference;
import dev.lstmserve.inference.LstmService;
import dev.lstmserve.inference.ModelDescription;
import dev.lstmserve.model.LstmModel;
import dev.lstmserve.model.ModelLoader;
import dev.lstmserve.model.keras.KerasFixtureFiles.Format;
import dev.lstmserve.model.keras.KerasFixtureFiles.Written;
import tools.jackson.databind.JsonNode;

/**
 * Every whole-model fixture of the Keras oracle ({@code src/test/resources/keras-models}, tools/keras-oracle), written
 * as a Keras 3 {@code .keras} archive, a tf.keras 2.x full-model {@code .h5} and a weights-only {@code .h5} with its
 * JSON config, loaded through {@link ModelLoader} as the service loads it, and run: {@code predict} (with
 * {@code initial_states}, with {@code initial_state}, and {@code top_k} for a softmax head) and {@code forward} for
 * every recurrent layer by {@code layer} (every step, the last output, and the states of every recurrent layer up to
 * it), each compared with what Keras returns within rtol 1e-5 / atol 1e-6.
 */
class KerasModelFixtureTests {

    private static final double RTOL = 1e-5;
    private static final double ATOL = 1e-6;
    private static final Map<String, Double> MAX_ABS_ERROR = new TreeMap<>();

    @TempDir
    Path dir;

    static Stream<Arguments> fixturesInEveryFormat() {
        return KerasModelFixture.all().stream().flatMap(fixture -> Stream.of(Format.values())
                .map(format -> Arguments.argumentSet(fixture.name() + " as " + format, fixture, format)));
    }

    @AfterAll
    static void printMaxAbsErrors() {
        StringBuilder report = new StringBuilder("Max abs error against the Keras oracle (keras-models/*.json, every format):");
        MAX_ABS_ERROR.forEach((name, error) -> report.append(String.format("%n  %-44s %.2e", name, error)));
        System.out.println(report);
    }

    @ParameterizedTest
    @MethodSource("fixturesInEveryFormat")
    void loadsDescribesItselfAndEqualsKeras(KerasModelFixture fixture, Format format) {
        Written files = KerasFixtureFiles.write(fixture, format, dir);
        LstmModel model = ModelLoader.load(files.model(), files.config());

        assertThat(model.kerasVersion()).isEqualTo(format.keras3() ? KerasFixtureFiles.KERAS_3_VERSION
                : KerasFixtureFiles.TF_KERAS_VERSION);
        ModelDescription description = new LstmService(model).describe();
        List<KerasModelFixture.Layer> layers = fixture.layers();
        assertThat(description.layers()).hasSize(layers.size());
        for (int i = 0; i < layers.size(); i++) {
            Map<String, Object> described = description.layers().get(i);
            assertThat(described.get("name")).isEqualTo(layers.get(i).name());
            assertThat(described.get("class_name")).isEqualTo(layers.get(i).className());
            assertThat(described.get("input_shape")).isEqualTo(kerasShape(layers.get(i).inputShape()));
            assertThat(described.get("output_shape")).isEqualTo(kerasShape(layers.get(i).outputShape()));
        }

        LstmInference inference = new LstmInference(model);
        double worst = 0;
        for (JsonNode sample : fixture.samples(format.keras3())) {
            worst = Math.max(worst, checkSample(inference, sample));
        }
        record(fixture.name(), worst);
    }

    /**
     * One fixture sample through {@code predict} (with its {@code initial_states}; with {@code initial_state} when
     * only the first recurrent layer's is not zero; with {@code top_k} when the fixture ranks classes) and through
     * {@code forward} for each recurrent layer it records (every step with the states of every recurrent layer up to
     * it, then the last output).
     *
     * @return the max abs error over everything compared
     */
    static double checkSample(LstmInference inference, JsonNode sample) {
        String name = sample.get("name").asString();
        int[][] tokens = sample.has("tokens") ? KerasModelFixture.JSON.convertValue(sample.get("tokens"), int[][].class) : null;
        double[][][] inputs = sample.has("inputs") ? KerasModelFixture.JSON.convertValue(sample.get("inputs"), double[][][].class) : null;
        List<StateQuery> states = states(sample.get("initial_states"));
        JsonNode expected = sample.get("expected");
        double worst = 0;

        Object predict = inference.predict(new ForwardQuery(tokens, null, inputs, null, states, null, null, null, null))
                .outputs();
        worst = Math.max(worst, allClose(name + " predict", predict, expected.get("predict")));

        if (states != null && states.stream().skip(1).allMatch(KerasModelFixtureTests::isZero)) {
            // initial_state is the first recurrent layer's alone; the others start at zeros.
            Object first = inference.predict(new ForwardQuery(tokens, null, inputs, states.get(0), null, null, null,
                    null, null)).outputs();
            worst = Math.max(worst, allClose(name + " predict with initial_state", first, expected.get("predict")));
        }

        if (expected.has("top_k")) {
            JsonNode top = expected.get("top_k");
            int k = firstRanking(top).size();
            Object ranked = inference.predict(new ForwardQuery(tokens, null, inputs, null, states, null, null, null, k))
                    .topK();
            worst = Math.max(worst, sameRanking(name + " top_k", KerasModelFixture.JSON.valueToTree(ranked), top));
        }

        int slots = 0;
        List<JsonNode> runStates = new ArrayList<>();
        for (JsonNode layer : expected.get("layers")) {
            String layerName = layer.get("layer").asString();
            layer.get("states").forEach(runStates::add);
            slots += layer.get("states").size();
            List<StateQuery> given = states == null ? null : states.subList(0, slots);
            String what = name + " forward " + layerName;

            ForwardResult sequences = inference.forward(new ForwardQuery(tokens, null, inputs, null, given, null, null,
                    layerName, null));
            worst = Math.max(worst, allClose(what + " outputs", sequences.outputs(), layer.get("outputs")));
            if (runStates.size() == 1) {
                worst = Math.max(worst, allClose(what + " h", sequences.h(), runStates.get(0).get("h")));
                worst = Math.max(worst, allClose(what + " c", sequences.c(), runStates.get(0).get("c")));
            } else {
                assertThat(sequences.states()).as(what + " states").hasSize(runStates.size());
                for (int i = 0; i < runStates.size(); i++) {
                    ForwardResult.LayerState state = sequences.states().get(i);
                    worst = Math.max(worst, allClose(what + " states[" + i + "].h", state.h(), runStates.get(i).get("h")));
                    worst = Math.max(worst, allClose(what + " states[" + i + "].c", state.c(), runStates.get(i).get("c")));
                }
            }

            ForwardResult last = inference.forward(new ForwardQuery(tokens, null, inputs, null, given, false, false,
                    layerName, null));
            worst = Math.max(worst, allClose(what + " last output", last.outputs(), layer.get("last_output")));
        }
        return worst;
    }

    /** The first list of {@code {id, probability}} in {@code top_k} ({@code [B][k]}, or {@code [B][T][k]} per step). */
    private static JsonNode firstRanking(JsonNode topK) {
        JsonNode node = topK;
        while (node.get(0).isArray()) {
            node = node.get(0);
        }
        return node;
    }

    /** The same ids in the same order, and probabilities allclose; returns the max abs error of the probabilities. */
    private static double sameRanking(String what, JsonNode actual, JsonNode expected) {
        if (expected.isObject()) {
            assertThat(actual.get("id").asInt()).as("%s.id", what).isEqualTo(expected.get("id").asInt());
            return allClose(what + ".probability", actual.get("probability"), expected.get("probability"));
        }
        assertThat(actual.size()).as("%s length", what).isEqualTo(expected.size());
        double worst = 0;
        for (int i = 0; i < expected.size(); i++) {
            worst = Math.max(worst, sameRanking(what + "[" + i + "]", actual.get(i), expected.get(i)));
        }
        return worst;
    }

    /** The sample's initial states as a request's {@code initial_states}, naming layer and direction. */
    static List<StateQuery> states(JsonNode initialStates) {
        if (initialStates == null || initialStates.isNull()) {
            return null;
        }
        List<StateQuery> states = new ArrayList<>();
        for (JsonNode s : initialStates) {
            states.add(new StateQuery(KerasModelFixture.JSON.convertValue(s.get("h"), double[][].class),
                    KerasModelFixture.JSON.convertValue(s.get("c"), double[][].class), s.get("layer").asString(),
                    s.has("direction") ? s.get("direction").asString() : null));
        }
        return states;
    }

    private static boolean isZero(StateQuery state) {
        for (double[][] rows : new double[][][] {state.h(), state.c()}) {
            for (double[] row : rows) {
                for (double v : row) {
                    if (v != 0) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** {@code [null, 6, 4]} in Keras' notation, as {@code GET /lstm/model} writes shapes: {@code (None, 6, 4)}. */
    private static String kerasShape(JsonNode shape) {
        List<String> dims = new ArrayList<>();
        shape.forEach(d -> dims.add(d.isNull() ? "None" : d.asString()));
        return "(" + String.join(", ", dims) + ")";
    }

    /**
     * numpy's {@code allclose(actual, expected, rtol=1e-5, atol=1e-6)} over nested arrays of the same shape.
     *
     * @return the max abs error
     */
    static double allClose(String what, Object actual, JsonNode expected) {
        return allClose(what, KerasModelFixture.JSON.valueToTree(actual), expected);
    }

    private static double allClose(String what, JsonNode actual, JsonNode expected) {
        if (expected.isArray()) {
            assertThat(actual.isArray()).as("%s is an array like Keras': %s", what, actual).isTrue();
            assertThat(actual.size()).as("%s length", what).isEqualTo(expected.size());
            double worst = 0;
            for (int i = 0; i < expected.size(); i++) {
                worst = Math.max(worst, allClose(what + "[" + i + "]", actual.get(i), expected.get(i)));
            }
            return worst;
        }
        assertThat(actual.isNumber()).as("%s is a number: %s", what, actual).isTrue();
        double error = Math.abs(actual.doubleValue() - expected.doubleValue());
        assertThat(error).as("%s = %s; Keras: %s", what, actual.doubleValue(), expected.doubleValue())
                .isLessThanOrEqualTo(ATOL + RTOL * Math.abs(expected.doubleValue()));
        return error;
    }

    private static void record(String name, double error) {
        synchronized (MAX_ABS_ERROR) {
            MAX_ABS_ERROR.merge(name, error, Math::max);
        }
    }
}
