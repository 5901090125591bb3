package dev.lstmserve;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.lstmserve.web.ProblemJson;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import static dev.lstmserve.SeedToyJson.JSON;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What Actuator shows a stranger: health, info and prometheus only; statuses without details; Kubernetes-style
 * probes; the build and the served model in info.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "server.address=127.0.0.1")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ActuatorExposureTests {

    @LocalServerPort
    private int port;

    private LocalHttp http;

    @BeforeEach
    void client() {
        http = new LocalHttp(port);
    }

    @ParameterizedTest
    @ValueSource(strings = {"env", "env/HOME", "heapdump", "threaddump", "beans", "mappings", "loggers",
            "loggers/ROOT", "configprops", "metrics", "metrics/jvm.memory.used", "scheduledtasks", "conditions",
            "caches", "startup", "sbom", "httpexchanges", "auditevents", "logfile", "shutdown", "sessions",
            "integrationgraph", "flyway", "liquibase", "quartz"})
    void otherEndpointsAreNotThere(String endpoint) throws Exception {
        for (String method : new String[] {"GET", "POST"}) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(http.uri("/actuator/" + endpoint))
                    .header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString("{}")));

            JsonNode problem = ProblemJson.assertProblem(method.equals("GET") ? 404 : response.statusCode(),
                    response.statusCode(), response.headers().firstValue("Content-Type").orElse(null),
                    response.body());
            assertThat(response.statusCode()).as("%s /actuator/%s", method, endpoint).isIn(404, 405);
            assertThat(problem.path("detail").asString()).contains("/actuator/" + endpoint);
        }
    }

    @Test
    void actuatorIndexLinksOnlyHealthInfoAndPrometheus() throws Exception {
        HttpResponse<String> response = http.get("/actuator");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("_links").propertyNames())
                .containsExactlyInAnyOrder("self", "health", "health-path", "info", "prometheus");
    }

    @Test
    void healthShowsComponentStatusesButNoDetails() throws Exception {
        HttpResponse<String> response = http.get("/actuator/health");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode health = JSON.readTree(response.body());
        assertThat(health.path("status").asString()).isEqualTo("UP");
        assertThat(health.path("components").propertyNames())
                .contains("parity", "diskSpace", "ping", "livenessState", "readinessState");
        for (JsonNode component : health.path("components")) {
            assertThat(component.propertyNames()).as("%s", component).containsExactly("status");
        }
        // diskSpace's path and the working directory, TLS chains, parity internals: none of it.
        assertThat(response.body()).doesNotContain("details", "path", "total", "free", "threshold", "validChains",
                "certificate", "rtol", Path.of("").toAbsolutePath().toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"diskSpace", "parity", "ssl", "ping"})
    void oneComponentAloneShowsItsStatusOnly(String component) throws Exception {
        HttpResponse<String> response = http.get("/actuator/health/" + component);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode health = JSON.readTree(response.body());
        assertThat(health.propertyNames()).as(response.body()).containsExactly("status");
        assertThat(health.path("status").asString()).isEqualTo("UP");
    }

    @Test
    void livenessIsTheProcessAndReadinessIncludesParity() throws Exception {
        HttpResponse<String> liveness = http.get("/actuator/health/liveness");
        HttpResponse<String> readiness = http.get("/actuator/health/readiness");

        assertThat(liveness.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(liveness.body()).path("status").asString()).isEqualTo("UP");
        assertThat(JSON.readTree(liveness.body()).path("components").propertyNames())
                .containsExactly("livenessState");
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(readiness.body()).path("components").propertyNames())
                .containsExactlyInAnyOrder("readinessState", "parity");
    }

    @Test
    void infoShowsTheBuildVersionAndTheServedModel() throws Exception {
        HttpResponse<String> response = http.get("/actuator/info");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode info = JSON.readTree(response.body());
        assertThat(info.path("build").path("version").asString()).as(response.body()).matches("\\d+\\.\\d+.*");
        assertThat(info.path("build").path("artifact").asString()).isEqualTo("lstm-serve");
        assertThat(info.path("model").path("name").asString()).isEqualTo("seed-toy");
        assertThat(info.path("model").path("format").asString()).isEqualTo("lstm-serve-json");
        assertThat(response.body()).doesNotContain("classpath:", "source", "/models");
    }

    @Test
    void unknownHealthComponentIsAProblem() throws Exception {
        HttpResponse<String> response = http.get("/actuator/health/nope");

        ProblemJson.assertProblem(404, response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(null), response.body());
    }
}
