package dev.lstmserve.parity;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.lstmserve.LocalHttp;
import dev.lstmserve.SeedToyJson;
import dev.lstmserve.inference.LstmInference;
import dev.lstmserve.model.LstmModel;
import dev.lstmserve.model.ModelLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;
import tools.jackson.databind.JsonNode;

import static dev.lstmserve.SeedToyJson.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.doCallRealMethod;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

/**
 * Readiness follows the latest parity run: DOWN (503) as soon as a run fails, while liveness stays UP; UP again once a
 * run passes. Probes read the latest run and never run the check themselves.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "server.address=127.0.0.1")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ParityReadinessTests {

    @LocalServerPort
    private int port;

    /** The real service, spied: a test makes its check fail, then pass again. */
    @MockitoSpyBean
    private ParityService parity;

    @Test
    void failingRunTakesReadinessDownUntilARunPasses(@TempDir Path dir) throws Exception {
        LocalHttp http = new LocalHttp(port);
        assertThat(http.get("/actuator/health/readiness").statusCode()).isEqualTo(200);

        // A real failing report: seed-toy's engine against a copy whose recorded h[1][0] is off by 1.
        LstmModel wrong = ModelLoader.load(SeedToyJson.writeWithWrongExpectedH(dir));
        LstmInference engine = new LstmInference(wrong);
        List<ParityCase> cases = wrong.parity().stream().map(sample -> new ParityCase(sample, engine)).toList();
        doReturn(ParityChecker.check(cases, 1e-5, 1e-6)).when(parity).check();
        assertThat(http.get("/parity").statusCode()).isEqualTo(503);

        HttpResponse<String> readiness = http.get("/actuator/health/readiness");
        HttpResponse<String> liveness = http.get("/actuator/health/liveness");
        HttpResponse<String> health = http.get("/actuator/health");
        assertThat(readiness.statusCode()).isEqualTo(503);
        JsonNode ready = JSON.readTree(readiness.body());
        assertThat(ready.path("status").asString()).isEqualTo("DOWN");
        assertThat(ready.path("components").path("parity").path("status").asString()).isEqualTo("DOWN");
        assertThat(ready.path("components").path("readinessState").path("status").asString()).isEqualTo("UP");
        assertThat(liveness.statusCode()).isEqualTo(200);
        assertThat(health.statusCode()).isEqualTo(503);
        // The failure's details (sample names, numbers) stay out of what anonymous callers see.
        assertThat(health.body()).doesNotContain("details", "failures", SeedToyJson.wrongSampleName());
        assertThat(http.scrape().value("lstm_parity_passed")).isZero();

        doCallRealMethod().when(parity).check();
        assertThat(http.get("/parity").statusCode()).isEqualTo(200);

        assertThat(http.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
        assertThat(http.scrape().value("lstm_parity_passed")).isEqualTo(1.0);
    }

    @Test
    void aScheduledRunAlsoMovesReadiness(@TempDir Path dir) throws Exception {
        LocalHttp http = new LocalHttp(port);
        LstmModel wrong = ModelLoader.load(SeedToyJson.writeWithWrongExpectedH(dir));
        LstmInference engine = new LstmInference(wrong);
        List<ParityCase> cases = wrong.parity().stream().map(sample -> new ParityCase(sample, engine)).toList();
        doReturn(ParityChecker.check(cases, 1e-5, 1e-6)).when(parity).check();

        parity.runScheduled();

        assertThat(http.get("/actuator/health/readiness").statusCode()).isEqualTo(503);
        assertThat(parity.lastRun().trigger()).isEqualTo("schedule");
        doCallRealMethod().when(parity).check();
        parity.runScheduled();
        assertThat(http.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
    }

    @Test
    void probesDoNotRunTheCheck() throws Exception {
        LocalHttp http = new LocalHttp(port);

        for (int i = 0; i < 5; i++) {
            http.get("/actuator/health");
            http.get("/actuator/health/readiness");
            http.get("/actuator/prometheus");
        }

        verify(parity, never()).check();
    }
}
