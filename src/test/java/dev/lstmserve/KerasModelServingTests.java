package dev.lstmserve;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.lstmserve.model.ModelLoadException;
import dev.lstmserve.model.keras.KerasFixtureFiles;
import dev.lstmserve.model.keras.KerasFixtureFiles.Format;
import dev.lstmserve.model.keras.KerasModelFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import static dev.lstmserve.SeedToyJson.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A Keras 3 {@code .keras} archive served as an operator serves it ({@code --lstm.model.path}, a real port on
 * 127.0.0.1), with its parity sidecar {@code <model>.keras.parity.json}: the oracle's stacked next-word model
 * (Embedding(mask_zero) -> LSTM -> LSTM -> Dense(softmax), keras-models/stacked_masked_softmax.json). The sidecar runs at
 * start-up and at {@code /parity}; {@code /lstm/predict} and {@code /lstm/forward} answer what Keras does; a window
 * run in two halves with every LSTM's state sent back equals the whole window. One start-up serves all of these; a
 * second, with a sidecar whose numbers are wrong, must fail.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KerasModelServingTests {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final KerasModelFixture FIXTURE = KerasModelFixture.named("stacked_masked_softmax");

    @TempDir
    static Path dir;

    private static Path model;
    private static ConfigurableApplicationContext context;
    private static int port;

    @BeforeAll
    static void serveTheArchiveWithItsSidecar() throws Exception {
        model = KerasFixtureFiles.write(FIXTURE, Format.KERAS_V3, dir.resolve("served")).model();
        Files.writeString(sidecarOf(model), JSON.writeValueAsString(sidecar(false)));
        context = start("--lstm.model.path=" + model);
        port = ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    @AfterAll
    static void stop() {
        if (context != null) {
            context.close();
        }
    }

    @Test
    void paritySidecarSamplesRunAtStartUpAndAtParity() throws Exception {
        HttpResponse<String> response = get("/parity");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode report = JSON.readTree(response.body());
        assertThat(report.path("passed").asBoolean()).isTrue();
        List<String> cases = new ArrayList<>();
        report.path("cases").forEach(c -> {
            assertThat(c.path("passed").asBoolean()).as(c.toString()).isTrue();
            cases.add(c.path("name").asString());
        });
        assertThat(cases).contains("stacked_masked_softmax/zero_states/predict",
                "stacked_masked_softmax/first_lstm_state/predict", "stacked_masked_softmax/first_lstm_state/forward",
                "stacked_masked_softmax/first_lstm_state/forward_states");
        // The built-in seed example's four, the sidecar's four, and the model's two LSTM engines against the float64
        // equations.
        assertThat(cases).hasSize(4 + 4 + 2);
        assertThat(cases.subList(8, 10)).allSatisfy(name -> assertThat(name).startsWith("engine vs float64 equations"));
    }

    @Test
    void modelDescribesTheArchiveAndItsStates() throws Exception {
        JsonNode description = JSON.readTree(get("/lstm/model").body());

        assertThat(description.path("source").asString()).isEqualTo(model.toString());
        assertThat(description.path("keras_version").asString()).isEqualTo(KerasFixtureFiles.KERAS_3_VERSION);
        assertThat(description.path("parity_samples").asInt()).isEqualTo(4);
        List<String> layers = new ArrayList<>();
        description.path("layers").forEach(l -> layers.add(l.path("class_name").asString() + " " + l.path("name").asString()
                + " " + l.path("output_shape").asString()));
        assertThat(layers).containsExactly("Embedding embedding (None, 6, 4)", "LSTM lstm (None, 6, 5)",
                "LSTM lstm_1 (None, 4)", "Dense dense (None, 12)");
    }

    @Test
    void predictWithTopKEqualsKeras() throws Exception {
        JsonNode sample = FIXTURE.samples(false).get(0);
        ObjectNode request = JSON.createObjectNode();
        request.set("tokens", sample.get("tokens"));
        request.put("top_k", 3);

        HttpResponse<String> response = post("/lstm/predict", request);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        SeedToyJson.assertAllClose("outputs", body.path("outputs"), sample.path("expected").path("predict"));
        JsonNode expectedTop = sample.path("expected").path("top_k");
        for (int b = 0; b < expectedTop.size(); b++) {
            for (int i = 0; i < 3; i++) {
                JsonNode got = body.path("top_k").get(b).get(i);
                assertThat(got.path("id").asInt()).as("top_k[%d][%d]", b, i).isEqualTo(expectedTop.get(b).get(i).path("id").asInt());
                SeedToyJson.assertAllClose("top_k[" + b + "][" + i + "]", got.path("probability"),
                        expectedTop.get(b).get(i).path("probability"));
                assertThat(got.has("word")).isFalse();
            }
        }
    }

    @Test
    void aWindowInTwoHalvesWithEveryLstmStateSentBackEqualsTheWholeWindow() throws Exception {
        JsonNode sample = FIXTURE.samples(false).get(0); // zero states
        JsonNode whole = sample.path("expected").path("layers").get(1); // lstm_1, the layer /lstm/forward returns
        JsonNode tokens = sample.get("tokens");
        int half = tokens.get(0).size() / 2;

        ObjectNode first = JSON.createObjectNode();
        first.set("tokens", columns(tokens, 0, half));
        HttpResponse<String> firstResponse = post("/lstm/forward", first);
        assertThat(firstResponse.statusCode()).isEqualTo(200);
        JsonNode firstBody = JSON.readTree(firstResponse.body());
        assertThat(firstBody.path("states").size()).isEqualTo(2);
        assertThat(firstBody.path("states").get(0).path("layer").asString()).isEqualTo("lstm");
        assertThat(firstBody.path("states").get(1).path("layer").asString()).isEqualTo("lstm_1");

        ObjectNode second = JSON.createObjectNode();
        second.set("tokens", columns(tokens, half, tokens.get(0).size()));
        second.set("initial_states", firstBody.path("states"));
        HttpResponse<String> secondResponse = post("/lstm/forward", second);
        assertThat(secondResponse.statusCode()).isEqualTo(200);
        JsonNode secondBody = JSON.readTree(secondResponse.body());

        SeedToyJson.assertAllClose("first half", firstBody.path("outputs"), columns(whole.path("outputs"), 0, half));
        SeedToyJson.assertAllClose("second half", secondBody.path("outputs"),
                columns(whole.path("outputs"), half, tokens.get(0).size()));
        JsonNode expectedStates = sample.path("expected").path("layers");
        for (int layer = 0; layer < 2; layer++) {
            JsonNode state = secondBody.path("states").get(layer);
            JsonNode keras = expectedStates.get(layer).path("states").get(0);
            SeedToyJson.assertAllClose("states[" + layer + "].h", state.path("h"), keras.path("h"));
            SeedToyJson.assertAllClose("states[" + layer + "].c", state.path("c"), keras.path("c"));
        }
    }

    @Test
    void aSidecarWhoseNumbersAreWrongStopsStartUpNamingTheSample() throws Exception {
        Path wrong = KerasFixtureFiles.write(FIXTURE, Format.KERAS_V3, dir.resolve("wrong")).model();
        Files.writeString(sidecarOf(wrong), JSON.writeValueAsString(sidecar(true)));

        Throwable failure = catchThrowable(() -> start("--lstm.model.path=" + wrong).close());

        ModelLoadException refused = null;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ModelLoadException e) {
                refused = e;
            }
        }
        assertThat(refused).as("start-up fails with a ModelLoadException: %s", failure).isNotNull();
        assertThat(refused.getMessage()).contains(wrong.toString(), "parity",
                "sample 'stacked_masked_softmax/first_lstm_state/predict'", "tensor predict", "[2][8]");
        assertThat(refused.getMessage()).doesNotContain("zero_states");
    }

    /**
     * The sidecar a user would record: two model.predict samples (zero states; an initial state for the first LSTM)
     * and a /lstm/forward sample of the last LSTM's outputs, with the oracle's numbers.
     *
     * @param wrong add 0.01 to one predicted probability of the initial-state sample
     */
    private static ObjectNode sidecar(boolean wrong) {
        JsonNode zero = FIXTURE.samples(false).get(0);
        JsonNode withState = FIXTURE.samples(false).get(1);
        ObjectNode firstLstm = JSON.createObjectNode();
        firstLstm.set("h", withState.path("initial_states").get(0).path("h"));
        firstLstm.set("c", withState.path("initial_states").get(0).path("c"));

        ArrayNode samples = JSON.createArrayNode();
        samples.add(predictSample(FIXTURE.name() + "/zero_states/predict", zero, null));
        ObjectNode predict = predictSample(FIXTURE.name() + "/first_lstm_state/predict", withState, firstLstm);
        if (wrong) {
            ArrayNode row = (ArrayNode) predict.path("expected").path("predict").get(2);
            row.set(8, row.get(8).doubleValue() + 0.01);
        }
        samples.add(predict);
        ObjectNode forward = JSON.createObjectNode();
        forward.put("name", FIXTURE.name() + "/first_lstm_state/forward");
        forward.set("tokens", withState.get("tokens"));
        forward.set("initial_state", firstLstm);
        forward.put("return_state", false);
        forward.set("expected", JSON.createObjectNode().set("outputs",
                withState.path("expected").path("layers").get(1).path("outputs")));
        samples.add(forward);
        // A run through both LSTMs carries two states: the sample records them all, in /lstm/forward's order.
        ObjectNode withStates = JSON.createObjectNode();
        withStates.put("name", FIXTURE.name() + "/first_lstm_state/forward_states");
        withStates.set("tokens", withState.get("tokens"));
        withStates.set("initial_state", firstLstm);
        ArrayNode states = JSON.createArrayNode();
        for (JsonNode layer : withState.path("expected").path("layers")) {
            states.addAll((ArrayNode) layer.path("states"));
        }
        ObjectNode expected = JSON.createObjectNode();
        expected.set("outputs", withState.path("expected").path("layers").get(1).path("outputs"));
        expected.set("states", states);
        withStates.set("expected", expected);
        samples.add(withStates);

        ObjectNode sidecar = JSON.createObjectNode();
        sidecar.put("generated_by", FIXTURE.json().path("generated_by").asString());
        sidecar.put("description", "Samples of keras-models/stacked_masked_softmax.json");
        sidecar.set("samples", samples);
        return sidecar;
    }

    private static ObjectNode predictSample(String name, JsonNode sample, JsonNode initialState) {
        ObjectNode out = JSON.createObjectNode();
        out.put("name", name);
        out.set("tokens", sample.get("tokens"));
        if (initialState != null) {
            out.set("initial_state", initialState);
        }
        out.set("expected", JSON.createObjectNode().set("predict", sample.path("expected").path("predict").deepCopy()));
        return out;
    }

    private static Path sidecarOf(Path model) {
        return model.resolveSibling(model.getFileName() + ".parity.json");
    }

    /** Steps {@code [from, to)} of every row of a {@code [B][T]...} array. */
    private static ArrayNode columns(JsonNode rows, int from, int to) {
        ArrayNode out = JSON.createArrayNode();
        for (JsonNode row : rows) {
            ArrayNode part = out.addArray();
            for (int t = from; t < to; t++) {
                part.add(row.get(t));
            }
        }
        return out;
    }

    private static ConfigurableApplicationContext start(String... properties) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--server.address=127.0.0.1",
                "--spring.main.banner-mode=off"));
        args.addAll(List.of(properties));
        return new SpringApplicationBuilder(LstmServeApplication.class).run(args.toArray(String[]::new));
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(request(path).GET().build(), BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, JsonNode body) throws Exception {
        return HTTP.send(request(path).header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString(JSON.writeValueAsString(body))).build(), BodyHandlers.ofString());
    }
}
