package dev.lstmserve;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded default model file, {@code src/main/resources/models/seed-toy.json}, as the tests read it: its parity
 * samples carry the numbers the Keras oracle (tools/keras-oracle, tfjs 4.22.0) computed for the seed notebook's
 * windows, so the web tests compare the service with Keras, not with itself.
 */
public final class SeedToyJson {

    /** The contract's tolerances (API.md, numpy allclose). */
    public static final double RTOL = 1e-5;
    public static final double ATOL = 1e-6;

    public static final JsonMapper JSON = JsonMapper.builder().build();

    /** The seed notebook's windows, and their words in the seed-toy vocabulary. */
    public static final String SEED_TOKENS = "[[7, 8, 0, 5], [6, 1, 3, 8], [2, 4, 5, 1]]";
    public static final String SEED_TEXT = "[\"the word <_unk> is\", \"not a common word\", \"but flower is a\"]";
    /**
     * The seed's initial h and c rows, as the notebook draws them: {@code g = tf.random.Generator.from_seed(42)}, then
     * h = {@code g.normal([1, 2])} and c = the same generator's second draw (tools/keras-oracle/README.md). Distinct,
     * so a swap of h and c anywhere between a request and the engine shows.
     */
    public static final String SEED_H_ROW = "[-0.7565803, -0.06854702]";
    public static final String SEED_C_ROW = "[0.9029392, -0.12441138]";
    /** The seed's initial state as a request's {@code initial_state}, one row broadcast to every window. */
    public static final String SEED_STATE = "{\"h\": [" + SEED_H_ROW + "], \"c\": [" + SEED_C_ROW + "]}";

    private SeedToyJson() {
    }

    public static ObjectNode model() {
        try (InputStream in = SeedToyJson.class.getResourceAsStream("/models/seed-toy.json")) {
            assertThat(in).as("models/seed-toy.json on the class path").isNotNull();
            return (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The four Keras variants of the seed check (return_sequences x return_state). */
    public static List<JsonNode> paritySamples() {
        List<JsonNode> samples = new ArrayList<>();
        model().path("parity").forEach(samples::add);
        assertThat(samples).hasSize(4);
        return samples;
    }

    public static JsonNode paritySample(String name) {
        return paritySamples().stream().filter(s -> s.path("name").asString().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no parity sample " + name + " in seed-toy.json"));
    }

    /**
     * The body of {@code POST /lstm/forward} that asks for what a parity sample recorded: a sample has the request's
     * field names.
     */
    public static String forwardRequest(JsonNode sample) {
        ObjectNode request = JSON.createObjectNode();
        for (String field : List.of("tokens", "inputs", "initial_state", "return_sequences", "return_state")) {
            if (sample.has(field)) {
                request.set(field, sample.get(field));
            }
        }
        return JSON.writeValueAsString(request);
    }

    /** Asserts that a forward response has the outputs and state a parity sample recorded, within the tolerances. */
    public static void assertMatchesSample(JsonNode response, JsonNode sample) {
        JsonNode expected = sample.path("expected");
        assertAllClose("outputs", response.path("outputs"), expected.path("outputs"));
        if (expected.has("h")) {
            assertAllClose("state.h", response.path("state").path("h"), expected.path("h"));
            assertAllClose("state.c", response.path("state").path("c"), expected.path("c"));
        }
    }

    /** A model file of src/test/resources/models, as a parsed tree. */
    public static ObjectNode testModel(String file) {
        try (InputStream in = SeedToyJson.class.getResourceAsStream("/models/" + file)) {
            assertThat(in).as("models/%s on the test class path", file).isNotNull();
            return (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The seed windows with the seed's initial h and c rows repeated for the 3 rows, both flags true. */
    public static String seedRequest() {
        return forwardRequest(paritySample("seed-toy/return_sequences+return_state"));
    }

    /**
     * Asserts numpy's {@code allclose(actual, expected, rtol, atol)} and equal shapes, for nested arrays.
     */
    public static void assertAllClose(String tensor, JsonNode actual, JsonNode expected) {
        assertAllClose(tensor, actual, expected, RTOL, ATOL);
    }

    /** {@link #assertAllClose(String, JsonNode, JsonNode)} with another tolerance, for references that need one. */
    public static void assertAllClose(String tensor, JsonNode actual, JsonNode expected, double rtol, double atol) {
        if (expected.isArray()) {
            assertThat(actual.isArray()).as("%s is an array like Keras': %s", tensor, actual).isTrue();
            assertThat(actual.size()).as("%s length", tensor).isEqualTo(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                assertAllClose(tensor + "[" + i + "]", actual.get(i), expected.get(i), rtol, atol);
            }
            return;
        }
        assertThat(actual.isNumber()).as("%s is a number: %s", tensor, actual).isTrue();
        double a = actual.doubleValue();
        double e = expected.doubleValue();
        assertThat(Math.abs(a - e)).as("|%s - Keras' %s| at %s", a, e, tensor)
                .isLessThanOrEqualTo(atol + rtol * Math.abs(e));
    }

    /** The shape of a nested array, e.g. {@code [3, 4, 2]}. */
    public static List<Integer> shape(JsonNode node) {
        List<Integer> shape = new ArrayList<>();
        for (JsonNode n = node; n.isArray(); n = n.get(0)) {
            shape.add(n.size());
            if (n.isEmpty()) {
                break;
            }
        }
        return shape;
    }

    /**
     * Writes a copy of seed-toy.json in which Keras' recorded {@code h[1][0]} of the first parity sample is changed, so
     * that sample fails its parity check by about 1.
     *
     * @return the file written
     */
    public static Path writeWithWrongExpectedH(Path dir) {
        ObjectNode model = model();
        JsonNode first = model.path("parity").get(0);
        ArrayNode row = (ArrayNode) first.path("expected").path("h").get(1);
        row.set(0, row.get(0).doubleValue() + 1.0);
        Path file = dir.resolve("seed-toy-wrong-h.json");
        JSON.writeValue(file.toFile(), model);
        return file;
    }

    /** The name of the sample {@link #writeWithWrongExpectedH} changes. */
    public static String wrongSampleName() {
        return paritySamples().get(0).path("name").asString();
    }
}
