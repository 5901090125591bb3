package dev.lstmserve;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.lstmserve.LocalHttp.Scrape;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static dev.lstmserve.SeedToyJson.SEED_TEXT;
import static dev.lstmserve.SeedToyJson.SEED_TOKENS;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /actuator/prometheus} as Prometheus scrapes it: every {@code lstm_*} family is there, and each moves with
 * the requests that should move it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "server.address=127.0.0.1")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PrometheusMetricsTests {

    private static final String FORWARD = "/lstm/forward";

    @LocalServerPort
    private int port;

    private LocalHttp http;

    @BeforeEach
    void client() {
        http = new LocalHttp(port);
    }

    @Test
    void scrapeHasEveryLstmFamilyBeforeAnyRequest() throws Exception {
        Scrape scrape = http.scrape();

        assertThat(scrape.samples().keySet()).contains("lstm_requests_rejected_total", "lstm_requests_active",
                "lstm_compute_active", "lstm_compute_limit", "lstm_parity_passed", "lstm_parity_duration_seconds",
                "lstm_parity_last_run_timestamp_seconds", "lstm_model_info");
        assertThat(scrape.labels("lstm_requests_rejected_total")).extracting(labels -> labels.get("reason"))
                .containsExactlyInAnyOrder("invalid_input", "too_large", "overloaded");
        assertThat(scrape.value("lstm_compute_limit"))
                .isEqualTo(2.0 * Runtime.getRuntime().availableProcessors());
        assertThat(scrape.labels("lstm_model_info")).containsExactly(
                Map.of("name", "seed-toy", "format", "lstm-serve-json", "keras_version", "unknown"));
        assertThat(scrape.value("lstm_model_info")).isEqualTo(1.0);
        assertThat(scrape.value("lstm_parity_passed")).isEqualTo(1.0);
        assertThat(scrape.value("lstm_parity_duration_seconds")).isGreaterThan(0.0).isLessThan(10.0);
        assertThat(scrape.value("lstm_requests_active")).isZero();
    }

    @Test
    void computeRequestsMoveLatencyEngineBatchWindowAndSteps() throws Exception {
        Scrape before = http.scrape();

        assertOk(http.post(FORWARD, "{\"tokens\": " + SEED_TOKENS + "}"));                       // B 3, T 4
        assertOk(http.post(FORWARD, "{\"text\": " + SEED_TEXT + "}"));                           // B 3, T 4
        assertOk(http.post(FORWARD, "{\"inputs\": [[[0.1, 0.2], [0.3, 0.4]]]}"));                 // B 1, T 2
        Scrape after = http.scrape();

        String[] ok = {"endpoint", FORWARD, "method", "POST", "status", "200"};
        assertThat(delta(before, after, "lstm_request_seconds_count", ok)).isEqualTo(3);
        assertThat(delta(before, after, "lstm_request_seconds_sum", ok)).isGreaterThan(0);
        assertThat(delta(before, after, "lstm_engine_seconds_count", "endpoint", FORWARD)).isEqualTo(3);
        assertThat(delta(before, after, "lstm_engine_seconds_sum", "endpoint", FORWARD)).isGreaterThan(0);
        assertThat(delta(before, after, "lstm_batch_size_count", "endpoint", FORWARD)).isEqualTo(3);
        assertThat(delta(before, after, "lstm_batch_size_sum", "endpoint", FORWARD)).isEqualTo(3 + 3 + 1);
        assertThat(delta(before, after, "lstm_window_length_sum", "endpoint", FORWARD)).isEqualTo(4 + 4 + 2);
        assertThat(delta(before, after, "lstm_steps_total", "endpoint", FORWARD)).isEqualTo(12 + 12 + 2);
        // Histograms with buckets from microseconds to seconds (and sizes in powers of two): le="+Inf" counts all.
        assertThat(after.labels("lstm_request_seconds_bucket")).extracting(labels -> labels.get("le"))
                .contains("2.5E-5", "0.001", "1.0", "30.0", "+Inf");
        assertThat(after.labels("lstm_engine_seconds_bucket")).extracting(labels -> labels.get("le"))
                .contains("5.0E-6", "0.001", "10.0", "+Inf");
        assertThat(after.value("lstm_request_seconds_bucket", "endpoint", FORWARD, "status", "200", "le", "+Inf"))
                .isEqualTo(after.value("lstm_request_seconds_count", ok));
        assertThat(delta(before, after, "lstm_batch_size_bucket", "endpoint", FORWARD, "le", "1.0")).isEqualTo(1);
        assertThat(delta(before, after, "lstm_batch_size_bucket", "endpoint", FORWARD, "le", "4.0")).isEqualTo(3);
        assertThat(delta(before, after, "lstm_window_length_bucket", "endpoint", FORWARD, "le", "2.0"))
                .isEqualTo(1);
    }

    @Test
    void computeRequestsAreTimedOnceByLstmRequestSecondsAndOtherRequestsBySpring() throws Exception {
        assertOk(http.post(FORWARD, "{\"tokens\": " + SEED_TOKENS + "}"));
        assertOk(http.get("/lstm/model"));

        Scrape scrape = http.scrape();
        assertThat(scrape.value("lstm_request_seconds_count", "endpoint", FORWARD, "status", "200")).isPositive();
        assertThat(scrape.labels("http_server_requests_seconds_count")).extracting(labels -> labels.get("uri"))
                .contains("/lstm/model").doesNotContain(FORWARD);
    }

    @Test
    void batchingFamiliesAreScrapedBeforeAnyBatch() throws Exception {
        Scrape scrape = http.scrape();

        assertThat(scrape.samples().keySet()).contains("lstm_batching_requests_count", "lstm_batching_windows_count",
                "lstm_batching_queue_seconds_count", "lstm_batching_queued");
        assertThat(scrape.value("lstm_batching_queued")).isZero();
    }

    @Test
    void refusedRequestsAreCountedByReason() throws Exception {
        Scrape before = http.scrape();

        http.post(FORWARD, "{\"tokens\": [[70]]}");                                   // outside the vocabulary
        http.post(FORWARD, "{\"tokens\": ");                                          // malformed JSON
        http.post(FORWARD, "{\"tokens\": [" + "[1],".repeat(1100) + "[1]]}");       // over max-batch-size 1024
        Scrape after = http.scrape();

        assertThat(delta(before, after, "lstm_requests_rejected_total", "reason", "invalid_input")).isEqualTo(2);
        assertThat(delta(before, after, "lstm_requests_rejected_total", "reason", "too_large")).isEqualTo(1);
        assertThat(delta(before, after, "lstm_requests_rejected_total", "reason", "overloaded")).isZero();
        assertThat(delta(before, after, "lstm_request_seconds_count", "endpoint", FORWARD, "status", "400"))
                .isEqualTo(2);
        assertThat(delta(before, after, "lstm_request_seconds_count", "endpoint", FORWARD, "status", "413"))
                .isEqualTo(1);
        assertThat(delta(before, after, "lstm_engine_seconds_count", "endpoint", FORWARD))
                .as("the 413 never reached the engine; the 400 for the token id did, but failed").isZero();
    }

    @Test
    void parityRunsMoveTheParityGauges() throws Exception {
        Scrape before = http.scrape();
        Thread.sleep(20);

        assertThat(http.get("/parity").statusCode()).isEqualTo(200);
        Scrape after = http.scrape();

        assertThat(after.value("lstm_parity_passed")).isEqualTo(1.0);
        assertThat(after.value("lstm_parity_last_run_timestamp_seconds"))
                .isGreaterThan(before.value("lstm_parity_last_run_timestamp_seconds"))
                .isCloseTo(System.currentTimeMillis() / 1000.0, org.assertj.core.data.Offset.offset(60.0));
        assertThat(after.value("lstm_parity_duration_seconds")).isGreaterThan(0.0);
        assertThat(delta(before, after, "lstm_request_seconds_count", "endpoint", "/parity", "method", "GET",
                "status", "200")).isEqualTo(1);
    }

    @Test
    void unknownPathsShareOneEndpointTag() throws Exception {
        http.post("/lstm/no-such-" + System.nanoTime(), "{}");
        http.get("/lstm/also-not-" + System.nanoTime());

        assertThat(http.scrape().labels("lstm_request_seconds_count")).extracting(labels -> labels.get("endpoint"))
                .allSatisfy(endpoint -> assertThat(endpoint).isIn(FORWARD, "/parity", "/lstm/model", "none"));
    }

    private static void assertOk(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    private static double delta(Scrape before, Scrape after, String name, String... labels) {
        return after.value(name, labels) - before.value(name, labels);
    }
}
