package dev.lstmserve;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ConcurrentRequestsTests} with dynamic batching on and a single compute slot, so that requests wait for it
 * together and are merged whenever they can share a forward: every response is still byte for byte the one the request
 * gets alone, and batches did form.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "lstm.batching.enabled=true",
        "lstm.limits.max-concurrent-requests=1",
        "lstm.limits.max-wait=10s"})
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BatchedConcurrentRequestsTests extends ConcurrentRequestsTests {

    @LocalServerPort
    private int port;

    @AfterEach
    void batchesFormed() throws Exception {
        LocalHttp.Scrape scrape = new LocalHttp(port).scrape();
        assertThat(scrape.value("lstm_batching_requests_count")).as("batched computations").isPositive();
        assertThat(scrape.value("lstm_batching_requests_sum"))
                .isGreaterThanOrEqualTo(2 * scrape.value("lstm_batching_requests_count"));
        assertThat(scrape.value("lstm_batching_queued")).isZero();
    }
}
