package dev.lstmserve;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.lstmserve.core.Layer;
import dev.lstmserve.core.Lstm;
import dev.lstmserve.core.LstmLayer;
import dev.lstmserve.core.Sequential;
import dev.lstmserve.core.LstmWeights;
import dev.lstmserve.model.LstmModel;
import dev.lstmserve.web.ProblemJson;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;
import tools.jackson.databind.JsonNode;

import static dev.lstmserve.SeedToyJson.JSON;
import static dev.lstmserve.SeedToyJson.SEED_TOKENS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.doReturn;

/**
 * The whole application as it is deployed, with its defaults (16 MiB body limit, Actuator, OpenAPI), through a real
 * port on 127.0.0.1. The served model is a Mockito spy, the real model unless a test stubs it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "server.address=127.0.0.1")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LstmServeApplicationTests {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @LocalServerPort
    private int port;

    /** The served model, spied so that one test can make the served engine drift; the real one otherwise. */
    @MockitoSpyBean
    private LstmModel servedModel;

    @Test
    void seedWindowsEqualKerasThroughTheRealPort() throws Exception {
        HttpResponse<String> response = post("/lstm/forward", SeedToyJson.seedRequest());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        SeedToyJson.assertMatchesSample(JSON.readTree(response.body()),
                SeedToyJson.paritySample("seed-toy/return_sequences+return_state"));
    }

    @Test
    void textThroughTheRealPortEqualsItsTokens() throws Exception {
        HttpResponse<String> text = post("/lstm/forward", "{\"text\": " + SeedToyJson.SEED_TEXT + "}");
        HttpResponse<String> tokens = post("/lstm/forward", "{\"tokens\": " + SEED_TOKENS + "}");

        assertThat(text.statusCode()).isEqualTo(200);
        assertThat(text.body()).isEqualTo(tokens.body());
    }

    @Test
    void parityAnswers200() throws Exception {
        HttpResponse<String> response = get("/parity");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode report = JSON.readTree(response.body());
        assertThat(report.path("passed").asBoolean()).isTrue();
        assertThat(report.path("cases").size()).isEqualTo(5); // the seed example's four, the kernels' check
    }

    @Test
    void modelDescribesSeedToy() throws Exception {
        HttpResponse<String> response = get("/lstm/model");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("name").asString()).isEqualTo("seed-toy");
    }

    @Test
    void healthHasAParityComponentAlsoInReadiness() throws Exception {
        HttpResponse<String> health = get("/actuator/health");
        HttpResponse<String> readiness = get("/actuator/health/readiness");

        assertThat(health.statusCode()).isEqualTo(200);
        JsonNode parity = JSON.readTree(health.body()).path("components").path("parity");
        assertThat(parity.path("status").asString()).isEqualTo("UP");
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(readiness.body()).path("components").path("parity").path("status").asString())
                .isEqualTo("UP");
    }

    @Test
    void anEngineThatNoLongerMatchesItsSamplesIsDownAtParityHealthAndReadiness() throws Exception {
        assertThat(get("/parity").statusCode()).isEqualTo(200);
        // The served engine drifts after start-up: the same model, one recurrent weight off by 0.5.
        LstmLayer served = servedModel.lstm();
        float[][] recurrentKernel = served.weights().recurrentKernel();
        recurrentKernel[0][0] += 0.5f;
        LstmLayer drifted = new LstmLayer(LstmWeights.of(served.weights().kernel(), recurrentKernel,
                served.weights().bias()), served.activation(), served.recurrentActivation(), served.goBackwards());
        Sequential network = servedModel.network();
        List<Layer> layers = new ArrayList<>(network.layers());
        layers.set(servedModel.forwardLayerIndex(), new Lstm("lstm", "LSTM", drifted, true, true));
        doReturn(new Sequential(layers, network.inputShape())).when(servedModel).network();

        HttpResponse<String> parity = get("/parity");
        HttpResponse<String> health = get("/actuator/health");
        HttpResponse<String> readiness = get("/actuator/health/readiness");

        assertThat(parity.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(parity.body()).path("passed").asBoolean()).isFalse();
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(health.body()).path("components").path("parity").path("status").asString())
                .isEqualTo("DOWN");
        assertThat(readiness.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(readiness.body()).path("status").asString()).isEqualTo("DOWN");
        assertThat(JSON.readTree(readiness.body()).path("components").path("parity").path("status").asString())
                .isEqualTo("DOWN");

        // Health reports the latest run: once the engine matches again, the next run brings readiness back.
        Mockito.reset(servedModel);
        assertThat(get("/parity").statusCode()).isEqualTo(200);
        assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);
    }

    @Test
    void chunkedBodyOverTheDefault16MiBIs413AndServingGoesOn() throws Exception {
        long spaces = 16L * 1024 * 1024 + 64 * 1024;
        HttpResponse<String> response = HTTP.send(request("/lstm/forward")
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofInputStream(() -> paddedTokens(spaces))).build(), BodyHandlers.ofString());

        JsonNode problem = ProblemJson.assertProblem(413, response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(null), response.body());
        assertThat(problem.path("detail").asString()).contains("16777216 bytes");
        assertThat(post("/lstm/forward", SeedToyJson.seedRequest()).statusCode()).isEqualTo(200);
    }

    @Test
    void chunkedBodyUnderTheLimitIsServed() throws Exception {
        HttpResponse<String> response = HTTP.send(request("/lstm/forward")
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofInputStream(() -> paddedTokens(1024 * 1024))).build(), BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void deeplyNestedBodyIsABadRequest() throws Exception {
        int depth = 100_000;
        HttpResponse<String> response = post("/lstm/forward",
                "{\"inputs\": " + "[".repeat(depth) + "]".repeat(depth) + "}");

        ProblemJson.assertProblem(400, response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(null), response.body());
    }

    @Test
    void unknownPathIsAProblemThroughTheRealServer() throws Exception {
        HttpResponse<String> response = get("/lstm/nope");

        ProblemJson.assertProblem(404, response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(null), response.body());
    }

    @Test
    void errorPathIsNoEndpoint() throws Exception {
        HttpResponse<String> response = get("/error");

        ProblemJson.assertProblem(404, response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(null), response.body());
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void concurrentRequestsGiveTheSameBitsAsOneRequest() throws Exception {
        // References, one request at a time: the seed batch, and each of its windows alone.
        String batch = "{\"tokens\": " + SEED_TOKENS + ", \"initial_state\": " + SeedToyJson.SEED_STATE + "}";
        JsonNode windows = JSON.readTree(SEED_TOKENS);
        List<String> bodies = new ArrayList<>(List.of(batch));
        for (JsonNode window : windows) {
            bodies.add("{\"tokens\": [" + JSON.writeValueAsString(window) + "], \"initial_state\": "
                    + SeedToyJson.SEED_STATE + "}");
        }
        List<String> references = new ArrayList<>();
        for (String body : bodies) {
            HttpResponse<String> response = post("/lstm/forward", body);
            assertThat(response.statusCode()).isEqualTo(200);
            references.add(response.body());
        }
        JsonNode batched = JSON.readTree(references.get(0));
        for (int b = 0; b < 3; b++) {
            JsonNode alone = JSON.readTree(references.get(b + 1));
            assertThat(alone.path("outputs").get(0)).as("window %d alone vs in the batch", b)
                    .isEqualTo(batched.path("outputs").get(b));
        }

        // 4 threads x 25 requests, mixing the batch and single windows.
        int threads = 4;
        int requests = 100;
        List<Callable<Boolean>> calls = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            int which = i % bodies.size();
            calls.add(() -> {
                HttpResponse<String> response = post("/lstm/forward", bodies.get(which));
                return response.statusCode() == 200 && response.body().equals(references.get(which));
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Boolean>> results = pool.invokeAll(calls, 60, TimeUnit.SECONDS);
            for (Future<Boolean> result : results) {
                assertThat(result.isCancelled()).as("finished within 60 s").isFalse();
                assertThat(result.get()).as("200 with the reference's exact bytes").isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void openApiDocumentListsTheEndpoints() throws Exception {
        HttpResponse<String> response = get("/v3/api-docs");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode paths = JSON.readTree(response.body()).path("paths");
        assertThat(paths.propertyNames()).contains("/lstm/forward", "/parity", "/lstm/model");
        assertThat(paths.path("/lstm/forward").has("post")).isTrue();
        assertThat(paths.path("/parity").has("get")).isTrue();
        assertThat(paths.path("/lstm/model").has("get")).isTrue();
    }

    @Test
    void openApiSchemasUseTheContractsSnakeCaseNames() throws Exception {
        JsonNode schemas = JSON.readTree(get("/v3/api-docs").body()).path("components").path("schemas");

        assertThat(schemas.path("ForwardRequest").path("properties").propertyNames())
                .contains("initial_state", "return_sequences", "return_state");
        assertThat(schemas.path("TensorCheck").path("properties").propertyNames()).contains("max_abs_error");
        assertThat(schemas.path("ModelDescription").path("properties").propertyNames())
                .contains("vocabulary_size", "recurrent_activation", "use_bias", "go_backwards", "mask_zero");
        assertThat(schemas.path("ForwardResponse").path("properties").path("outputs").path("type").asString())
                .isEqualTo("array");
    }

    @Test
    void openApiExampleIsTheSeedExample() throws Exception {
        // The request's examples (tokens, and initial_state, which refers to the StateBody schema) are the seed
        // example whose Keras numbers seed-toy carries, with its distinct h and c rows.
        JsonNode schemas = JSON.readTree(get("/v3/api-docs").body()).path("components").path("schemas");
        JsonNode seed = SeedToyJson.paritySample("seed-toy/return_sequences+return_state");

        assertThat(schemas.path("ForwardRequest").path("properties").path("tokens").path("example"))
                .isEqualTo(seed.path("tokens"));
        JsonNode state = schemas.path("StateBody").path("example");
        assertThat(state.path("h")).containsExactly(seed.path("initial_state").path("h").get(0));
        assertThat(state.path("c")).containsExactly(seed.path("initial_state").path("c").get(0));
    }

    /** {@code {"tokens": <spaces> [[7, 8, 0, 5]]}}, generated as it is read: a valid body of any size. */
    private static InputStream paddedTokens(long spaces) {
        InputStream padding = new InputStream() {
            private long left = spaces;

            @Override
            public int read() {
                return left-- > 0 ? ' ' : -1;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(length, left);
                java.util.Arrays.fill(buffer, offset, offset + n, (byte) ' ');
                left -= n;
                return n;
            }
        };
        return new SequenceInputStream(Collections.enumeration(List.of(
                new ByteArrayInputStream("{\"tokens\": ".getBytes(StandardCharsets.US_ASCII)), padding,
                new ByteArrayInputStream("[[7, 8, 0, 5]]}".getBytes(StandardCharsets.US_ASCII)))));
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(request(path).GET().build(), BodyHandlers.ofString());
    }

    /**
     * Bodies over Jackson's own parser limits (well under lstm.max-request-size): 400 naming the limit, without
     * Jackson's class and method names (API.md: errors never show the service's insides).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"nesting", "number", "name"})
    void bodiesOverTheParsersLimitsAreRefusedWithoutJacksonsInsides(String limit) throws Exception {
        String body = switch (limit) {
            case "nesting" -> "{\"foo\": " + "[".repeat(3000) + "]".repeat(3000) + ", \"tokens\": [[1]]}";
            case "number" -> "{\"inputs\": [[[1" + "0".repeat(5000) + "]]]}";
            default -> "{\"" + "k".repeat(60_000) + "\": 1}";
        };
        HttpResponse<String> response = post("/lstm/forward", body);

        JsonNode problem = dev.lstmserve.web.ProblemJson.assertProblem(400, response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(null), response.body());
        assertThat(problem.path("detail").asString()).contains("parser limit")
                .doesNotContain("`", "Constraints", "ReadFeature", "()", "Source:");
        assertThat(get("/parity").statusCode()).as("still serving").isEqualTo(200);
    }

    private HttpResponse<String> post(String path, String json) throws Exception {
        BodyPublisher body = BodyPublishers.ofString(json);
        return HTTP.send(request(path).header("Content-Type", "application/json").POST(body).build(),
                BodyHandlers.ofString());
    }
}
