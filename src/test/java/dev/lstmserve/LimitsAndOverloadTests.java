package dev.lstmserve;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.lstmserve.LocalHttp.Scrape;
import dev.lstmserve.inference.Computations;
import dev.lstmserve.inference.LstmService;
import dev.lstmserve.web.ProblemJson;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;
import tools.jackson.databind.JsonNode;

import static dev.lstmserve.SeedToyJson.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;

/**
 * The request limits and the bound on concurrent computation, with small limits so that small requests reach them:
 * 413 naming the limit, its value and the request's; 503 with Retry-After once every compute slot stays busy; every
 * request that got a slot completes with Keras' numbers.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "lstm.limits.max-batch-size=8",
        "lstm.limits.max-window-length=16",
        "lstm.limits.max-steps=64",
        "lstm.limits.max-input-values=96",
        "lstm.limits.max-concurrent-requests=2",
        "lstm.limits.max-wait=50ms",
        "lstm.limits.retry-after=2s"})
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LimitsAndOverloadTests {

    private static final String FORWARD = "/lstm/forward";

    @LocalServerPort
    private int port;

    /** The real service; only the overload tests make it wait. */
    @MockitoSpyBean
    private LstmService service;

    private LocalHttp http;

    @BeforeEach
    void client() {
        http = new LocalHttp(port);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            9 windows of tokens              | tokens | 9  | 1  | 2 | lstm.limits.max-batch-size    | 8  | 9
            9 windows of text                | text   | 9  | 1  | 2 | lstm.limits.max-batch-size    | 8  | 9
            9 windows of inputs              | inputs | 9  | 1  | 2 | lstm.limits.max-batch-size    | 8  | 9
            a window of 17 tokens            | tokens | 1  | 17 | 2 | lstm.limits.max-window-length | 16 | 17
            a window of 17 words             | text   | 1  | 17 | 2 | lstm.limits.max-window-length | 16 | 17
            a window of 17 input steps       | inputs | 1  | 17 | 2 | lstm.limits.max-window-length | 16 | 17
            8 x 9 tokens                     | tokens | 8  | 9  | 2 | lstm.limits.max-steps         | 64 | 72
            5 x 13 words                     | text   | 5  | 13 | 2 | lstm.limits.max-steps         | 64 | 65
            7 x 7 inputs of 2 features       | inputs | 7  | 7  | 2 | lstm.limits.max-input-values  | 96 | 98
            """)
    void overALimitIs413NamingItsValueAndTheRequests(String what, String field, int batch, int window, int features,
                                                      String limit, long maximum, long actual) throws Exception {
        HttpResponse<String> response = http.post(FORWARD, body(field, batch, window, features));

        JsonNode problem = ProblemJson.assertProblem(413, response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(null), response.body());
        assertThat(problem.path("limit").asString()).isEqualTo(limit);
        assertThat(problem.path("maximum").asLong()).isEqualTo(maximum);
        assertThat(problem.path("actual").asLong()).isEqualTo(actual);
        assertThat(problem.path("field").asString()).isEqualTo(field);
        assertThat(problem.path("detail").asString()).contains(limit, Long.toString(maximum), Long.toString(actual));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            8 x 8 tokens, every limit reached exactly | tokens | 8 | 8  | 2
            4 x 16 words                              | text   | 4 | 16 | 2
            6 x 8 inputs of 2 features = 96 values    | inputs | 6 | 8  | 2
            """)
    void atTheLimitsIsServed(String what, String field, int batch, int window, int features) throws Exception {
        HttpResponse<String> response = http.post(FORWARD, body(field, batch, window, features));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(SeedToyJson.shape(JSON.readTree(response.body()).path("outputs"))).containsExactly(batch, window, 2);
    }

    @Test
    void bodyOverTheSizeLimitNamesItToo() throws Exception {
        // Content-Length is known: the problem gives the request's size as well.
        byte[] body = ("{\"tokens\": [[1]]" + " ".repeat(17 * 1024 * 1024) + "}").getBytes();

        HttpResponse<String> response = http.post(FORWARD, body);

        JsonNode problem = ProblemJson.assertProblem(413, response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(null), response.body());
        assertThat(problem.path("limit").asString()).isEqualTo("lstm.max-request-size");
        assertThat(problem.path("maximum").asLong()).isEqualTo(16L * 1024 * 1024);
        assertThat(problem.path("actual").asLong()).isEqualTo(body.length);
    }

    @Test
    void moreConcurrentRequestsThanSlotsGet503WithRetryAfterAndTheAcceptedOnesComplete() throws Exception {
        // The first two requests hold both compute slots until released: every request after them finds none free
        // within lstm.limits.max-wait (50 ms).
        CountDownLatch computing = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        // Each holds its slot after computing (so that, batched, its batch has closed and later requests cannot join
        // it): the real forward with computations that wait for the release before giving the slot back.
        doAnswer(call -> {
            Computations given = call.getArgument(1);
            if (given instanceof Holding) {
                return call.callRealMethod();
            }
            return service.forward(call.getArgument(0), new Holding(given, computing, release));
        }).when(service).forward(any(), any());
        Scrape before = http.scrape();
        ExecutorService clients = Executors.newFixedThreadPool(2);
        try {
            List<Future<HttpResponse<String>>> accepted = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                accepted.add(clients.submit(() -> http.post(FORWARD, SeedToyJson.seedRequest())));
            }
            assertThat(computing.await(30, TimeUnit.SECONDS)).as("both slots taken").isTrue();
            assertThat(http.scrape().value("lstm_compute_active")).isEqualTo(2.0);

            List<HttpResponse<String>> refused = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                refused.add(http.post(FORWARD, SeedToyJson.seedRequest()));
            }
            release.countDown();

            for (HttpResponse<String> response : refused) {
                JsonNode problem = ProblemJson.assertProblem(503, response.statusCode(),
                        response.headers().firstValue("Content-Type").orElse(null), response.body());
                assertThat(response.headers().firstValue("Retry-After")).hasValue("2");
                assertThat(problem.path("limit").asString()).isEqualTo("lstm.limits.max-concurrent-requests");
                assertThat(problem.path("maximum").asInt()).isEqualTo(2);
            }
            for (Future<HttpResponse<String>> future : accepted) {
                HttpResponse<String> response = future.get(60, TimeUnit.SECONDS);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                SeedToyJson.assertMatchesSample(JSON.readTree(response.body()),
                        SeedToyJson.paritySample("seed-toy/return_sequences+return_state"));
            }
        } finally {
            release.countDown();
            clients.shutdownNow();
        }
        Scrape after = http.scrape();
        assertThat(after.value("lstm_requests_rejected_total", "reason", "overloaded")
                - before.value("lstm_requests_rejected_total", "reason", "overloaded")).isEqualTo(5);
        assertThat(after.value("lstm_compute_active")).isZero();
        assertThat(http.post(FORWARD, SeedToyJson.seedRequest()).statusCode()).as("serving again").isEqualTo(200);
    }

    @Test
    void aBurstGetsEitherKerasNumbersOr503AndNothingElse() throws Exception {
        String expected = http.post(FORWARD, SeedToyJson.seedRequest()).body();
        int threads = 16;
        int requests = 320;
        ExecutorService clients = Executors.newFixedThreadPool(threads);
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        try {
            for (int i = 0; i < requests; i++) {
                responses.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return http.post(FORWARD, SeedToyJson.seedRequest());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, clients));
            }
            int ok = 0;
            int overloaded = 0;
            for (CompletableFuture<HttpResponse<String>> future : responses) {
                HttpResponse<String> response = future.get(90, TimeUnit.SECONDS);
                if (response.statusCode() == 503) {
                    overloaded++;
                    assertThat(response.headers().firstValue("Retry-After")).hasValue("2");
                } else {
                    ok++;
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                    assertThat(response.body()).isEqualTo(expected);
                }
            }
            assertThat(ok + overloaded).isEqualTo(requests);
            assertThat(ok).as("some requests are served under any burst").isPositive();
        } finally {
            clients.shutdownNow();
        }
    }

    /** A valid request for seed-toy of the given shape: token ids, words, or inputs of {@code features}. */
    private static String body(String field, int batch, int window, int features) {
        StringBuilder s = new StringBuilder("{\"").append(field).append("\": [");
        for (int b = 0; b < batch; b++) {
            s.append(b == 0 ? "" : ", ");
            switch (field) {
                case "tokens" -> s.append('[').append(String.join(", ", repeat("3", window))).append(']');
                case "text" -> s.append('"').append(String.join(" ", repeat("flower", window))).append('"');
                default -> s.append('[').append(String.join(", ",
                        repeat("[" + String.join(", ", repeat("0.25", features)) + "]", window))).append(']');
            }
        }
        return s.append("]}").toString();
    }

    private static List<String> repeat(String value, int times) {
        return java.util.Collections.nCopies(times, value);
    }

    /** Computations whose every run keeps its slot, once done, until {@code release}. */
    private record Holding(Computations given, CountDownLatch computing, CountDownLatch release)
            implements Computations {

        @Override
        public <T> T run(Supplier<T> work) {
            return given.run(() -> {
                T result = work.get();
                computing.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return result;
            });
        }

        @Override
        public void batched(int requests, int windows) {
            given.batched(requests, windows);
        }

        @Override
        public void computedInBatch(long queuedNanos, long computeNanos) {
            given.computedInBatch(queuedNanos, computeNanos);
        }
    }
}
