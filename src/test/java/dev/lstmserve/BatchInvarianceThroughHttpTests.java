package dev.lstmserve;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.lstmserve.core.LstmLayer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import static dev.lstmserve.SeedToyJson.JSON;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * API.md: "Same inputs give the same bits: results do not depend on load or on which other requests a request was
 * batched with", through a real port on 127.0.0.1, for a served model wide enough (E = H = {@value #UNITS}) that its
 * requests cross every size threshold of the engine's automatic path choice, the one production takes: batches of
 * windows longer than one step at and around {@link LstmLayer#PROJECTED_MAX_BATCH} (input projection before the time
 * loop, or inside each step), and batches on each side of {@link LstmLayer#PARALLEL_MIN_STEP_WORK} (a step on one
 * thread, or split across the cores). The shapes are computed from those constants. (seed-toy, E = H = 2, takes the
 * same single-threaded path whatever it is sent with.) Every forced path and kernel is compared bit for bit at the
 * engine in {@code core.BatchInvarianceTests}, where the split is forced whatever the machine's core count.
 *
 * <p>The model is written by the test (random weights, no parity samples: served with the built-in seed example as
 * its only check), so nothing large is committed; the comparison is of the service with itself, a window alone
 * against the same window batched, so no expected numbers are needed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "server.address=127.0.0.1")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BatchInvarianceThroughHttpTests {

    private static final int UNITS = 64;
    private static final int INPUT_SIZE = UNITS;
    private static final int VOCABULARY_SIZE = 50;

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private static Path modelDir;

    @LocalServerPort
    private int port;

    @DynamicPropertySource
    static void serveAWideModel(DynamicPropertyRegistry registry) throws IOException {
        modelDir = Files.createTempDirectory("lstm-serve-wide-model");
        Path model = modelDir.resolve("wide-model.json");
        JSON.writeValue(model.toFile(), wideModel());
        registry.add("lstm.model.path", model::toString);
    }

    @AfterAll
    static void cleanUp() throws IOException {
        try (var files = Files.list(modelDir)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(modelDir);
    }

    static Stream<Arguments> windowsAndBatches() {
        int projected = LstmLayer.PROJECTED_MAX_BATCH;
        // Rows from which a step of the projected path (h·recurrent_kernel, H·4H per row) is split across cores.
        int splitRows = (int) ((LstmLayer.PARALLEL_MIN_STEP_WORK + 4L * UNITS * UNITS - 1) / (4L * UNITS * UNITS));
        return Stream.of(
                Arguments.argumentSet("5 steps: alone on one thread; batches split on 2+ cores, around PROJECTED_MAX_BATCH", 5,
                        new int[] {splitRows, splitRows + 1, projected, projected + 1, projected + 2}),
                Arguments.argumentSet("1 step (projection inside the step), small and large batches", 1,
                        new int[] {2, 3, projected + 1}));
    }

    @ParameterizedTest
    @MethodSource("windowsAndBatches")
    void aWindowGetsTheSameBitsAloneAsInsideBatchesOfSeveralSizes(int steps, int[] batches) throws Exception {
        Random random = new Random(steps);
        int[] window = tokens(random, steps);
        double[] h0 = state(random);
        double[] c0 = state(random);
        JsonNode alone = forward(new int[][] {window}, new double[][] {h0}, new double[][] {c0});

        for (int batch : batches) {
            // The window at the first row, in the middle and at the last row; every other row its own.
            int[] mine = {0, batch / 2, batch - 1};
            int[][] tokens = new int[batch][];
            double[][] h = new double[batch][];
            double[][] c = new double[batch][];
            for (int b = 0; b < batch; b++) {
                tokens[b] = tokens(random, steps);
                h[b] = state(random);
                c[b] = state(random);
            }
            for (int at : mine) {
                tokens[at] = window;
                h[at] = h0;
                c[at] = c0;
            }

            JsonNode batched = forward(tokens, h, c);

            for (int at : mine) {
                String where = "T=" + steps + ", row " + at + " of a batch of " + batch;
                assertThat(batched.path("outputs").get(at)).as(where + ", last output")
                        .isEqualTo(alone.path("outputs").get(0));
                assertThat(batched.path("state").path("h").get(at)).as(where + ", h")
                        .isEqualTo(alone.path("state").path("h").get(0));
                assertThat(batched.path("state").path("c").get(at)).as(where + ", c")
                        .isEqualTo(alone.path("state").path("c").get(0));
            }
        }
    }

    @Test
    void aModelWithoutParitySamplesIsServedAndCheckedByTheBuiltInSeedExample() throws Exception {
        HttpResponse<String> parity = HTTP.send(request("/parity").GET().build(), BodyHandlers.ofString());

        assertThat(parity.statusCode()).isEqualTo(200);
        JsonNode cases = JSON.readTree(parity.body()).path("cases");
        assertThat(cases.values()).extracting(c -> c.path("model").asString())
                .containsExactly("seed-toy", "seed-toy", "seed-toy", "seed-toy", "wide-model");
        assertThat(cases.get(4).path("name").asString()).startsWith("engine vs float64 equations (E=64, H=64; ");
        assertThat(cases.get(4).path("passed").asBoolean()).isTrue();
        JsonNode model = JSON.readTree(HTTP.send(request("/lstm/model").GET().build(), BodyHandlers.ofString()).body());
        assertThat(model.path("name").asString()).isEqualTo("wide-model");
        assertThat(model.path("parity_samples").asInt()).isZero();
    }

    /**
     * {@code [B][H]} last outputs and state, as Keras returns them with return_sequences=False: the final state holds
     * every step's bits, and the full sequences of these windows would be megabytes.
     */
    private JsonNode forward(int[][] tokens, double[][] h, double[][] c) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.set("tokens", JSON.valueToTree(tokens));
        ObjectNode state = body.putObject("initial_state");
        state.set("h", JSON.valueToTree(h));
        state.set("c", JSON.valueToTree(c));
        body.put("return_sequences", false);
        HttpResponse<String> response = HTTP.send(request("/lstm/forward").header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString(JSON.writeValueAsString(body))).build(), BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60));
    }

    private static int[] tokens(Random random, int steps) {
        return random.ints(steps, 0, VOCABULARY_SIZE).toArray();
    }

    private static double[] state(Random random) {
        return random.doubles(UNITS, -1, 1).map(v -> (float) v).toArray();
    }

    /** lstm-serve JSON: Embedding(50, E) → LSTM(64), Keras-like random weights, no vocabulary, no parity samples. */
    private static ObjectNode wideModel() {
        Random random = new Random(42);
        ObjectNode model = JSON.createObjectNode();
        model.put("format", "lstm-serve-model").put("version", 1).put("name", "wide-model")
                .put("description", "written by BatchInvarianceThroughHttpTests: random weights, no parity samples");
        ObjectNode embedding = model.putObject("embedding");
        embedding.put("input_dim", VOCABULARY_SIZE).put("output_dim", INPUT_SIZE).put("mask_zero", false);
        embedding.set("embeddings", matrix(random, VOCABULARY_SIZE, INPUT_SIZE, 0.05));
        ObjectNode lstm = model.putObject("lstm");
        lstm.put("units", UNITS).put("activation", "tanh").put("recurrent_activation", "sigmoid").put("use_bias", true)
                .put("go_backwards", false);
        lstm.set("kernel", matrix(random, INPUT_SIZE, 4 * UNITS, Math.sqrt(6.0 / (INPUT_SIZE + 4 * UNITS))));
        lstm.set("recurrent_kernel", matrix(random, UNITS, 4 * UNITS, Math.sqrt(1.0 / UNITS)));
        lstm.set("bias", matrix(random, 1, 4 * UNITS, 0.1).get(0));
        return model;
    }

    /** Uniform in [-scale, scale), rounded to 6 decimals like the oracle's fixtures. */
    private static ArrayNode matrix(Random random, int rows, int columns, double scale) {
        ArrayNode matrix = JSON.createArrayNode();
        for (int r = 0; r < rows; r++) {
            ArrayNode row = matrix.addArray();
            for (int j = 0; j < columns; j++) {
                row.add(Math.round((random.nextDouble() * 2 - 1) * scale * 1e6) / 1e6);
            }
        }
        return matrix;
    }
}
