package dev.lstmserve;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.lstmserve.FuzzedBodies.Kind;
import dev.lstmserve.web.ProblemJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzing of the request path through the real server on 127.0.0.1 with Jazzer's JUnit integration: bodies made by
 * {@link FuzzedBodies} from a Jazzer input (a seed from {@code src/test/resources/fuzz/seeds} mutated byte by byte,
 * or value by value in its JSON tree, or JSON of random structure: deep nesting, huge and non-finite numbers, odd
 * Unicode, wrong types) never get a 5xx, every error is a problem+json without the service's insides, and the service
 * still answers the seed request with Keras' numbers afterwards. One input carries up to {@value #BODIES_PER_INPUT}
 * bodies, one after another, while it has choices left.
 *
 * <p>Two modes. {@code ./mvnw verify} (regression): each {@code @FuzzTest} runs on the committed inputs in
 * {@code src/test/resources/dev/lstmserve/FuzzedRequestTestsInputs/<method>/} (written by {@link FuzzCorpus}:
 * 94 + 94 + 63 inputs of 16 bodies, about 4000 bodies) and on the empty input. {@code tools/ops/fuzz.sh} (CI, after
 * verify): {@code JAZZER_FUZZ=1}, one {@code @FuzzTest} per JVM, coverage-guided for at most {@value #MAX_DURATION}.
 * An input that fails while fuzzing is written by Jazzer into that same directory as {@code crash-<sha1>}; committed,
 * it runs in every later {@code ./mvnw verify}: that is how a finding becomes a regression test.
 */
class FuzzedRequestTests {

    /**
     * Bodies one committed input carries in {@code ./mvnw verify}: a few hundred files give some 4000 bodies. While
     * fuzzing, one: libFuzzer then ties what it sees (new coverage, a failure) to a single body. The first body of an
     * input is the same either way, so an input that failed while fuzzing fails the regression run too.
     */
    static final int BODIES_PER_INPUT = 16;

    /** Per target, under JAZZER_FUZZ=1 only (libFuzzer's -max_total_time; regression runs ignore it). */
    static final String MAX_DURATION = "45s";

    /** Jazzer's own test (com.code_intelligence.jazzer.junit.Utils): JAZZER_FUZZ in the environment or properties. */
    private static final boolean FUZZING = Stream.of(System.getenv("JAZZER_FUZZ"), System.getProperty("JAZZER_FUZZ"))
            .anyMatch(v -> v != null && (v.equalsIgnoreCase("true") || v.equals("1") || v.equalsIgnoreCase("yes")));

    private static final FuzzedBodies BODIES = FuzzedBodies.fromSeeds();

    /** Per kind: inputs and bodies run, and which status and title the bodies got (how deep they went). */
    private static final Map<String, LongAdder> COUNTS = new ConcurrentHashMap<>();

    private static ConfigurableApplicationContext service;
    private static LocalHttp http;

    @BeforeAll
    static void startService() {
        assertThat(BODIES.seeds()).as("seeds in %s", FuzzedBodies.SEEDS).hasSizeGreaterThan(10);
        service = new SpringApplicationBuilder(LstmServeApplication.class)
                .run("--server.port=0", "--server.address=127.0.0.1", "--spring.main.banner-mode=off");
        http = new LocalHttp(service.getEnvironment().getRequiredProperty("local.server.port", Integer.class));
    }

    @AfterAll
    static void serviceStillServesAndStops() throws Exception {
        try {
            if (http != null) {
                HttpResponse<String> after;
                try (SilentCloseable allowed = loopbackOnly()) {
                    after = http.post("/lstm/forward", SeedToyJson.seedRequest());
                }
                assertThat(after.statusCode()).as("serving after the fuzzing: %s", after.body()).isEqualTo(200);
                SeedToyJson.assertMatchesSample(SeedToyJson.JSON.readTree(after.body()),
                        SeedToyJson.paritySample("seed-toy/return_sequences+return_state"));
                try (SilentCloseable allowed = loopbackOnly()) {
                    assertThat(http.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
                }
            }
        } finally {
            System.out.println("FuzzedRequestTests sent: " + new TreeMap<>(COUNTS));
            if (service != null) {
                service.close();
            }
        }
    }

    @Test
    void seedsAsTheyAreGetAnAnswerThatIsNot5xx() throws Exception {
        for (byte[] seed : BODIES.seeds()) {
            assertAnsweredWithoutServerError("SEEDS", seed);
        }
        count("SEEDS bodies", BODIES.seeds().size());
    }

    @FuzzTest(maxDuration = MAX_DURATION)
    void mutatedSeedsGetAnAnswerThatIsNot5xx(FuzzedDataProvider data) throws Exception {
        sendBodiesOf(Kind.MUTATED, data);
    }

    @FuzzTest(maxDuration = MAX_DURATION)
    void treeMutatedSeedsGetAnAnswerThatIsNot5xx(FuzzedDataProvider data) throws Exception {
        sendBodiesOf(Kind.TREE_MUTATED, data);
    }

    @FuzzTest(maxDuration = MAX_DURATION)
    void randomJsonGetsAnAnswerThatIsNot5xx(FuzzedDataProvider data) throws Exception {
        sendBodiesOf(Kind.RANDOM_JSON, data);
    }

    private static void sendBodiesOf(Kind kind, FuzzedDataProvider data) throws Exception {
        try (SilentCloseable allowed = loopbackOnly()) {
            count(kind + " inputs", 1);
            int sent = 0;
            do {
                assertAnsweredWithoutServerError(kind.name(), BODIES.next(kind, data));
                sent++;
            } while (!FUZZING && sent < BODIES_PER_INPUT && data.remainingBytes() > 0);
            count(kind + " bodies", sent);
        }
    }

    /**
     * Jazzer's SSRF detector reports every connection opened while fuzzing (from the first fuzz target call on, also in
     * {@code @AfterAll}) unless allowed; the service on 127.0.0.1 is the only one these tests may reach. A report there
     * is an Error that JUnit cannot even print: surefire then counts no test at all, which tools/ops/fuzz.sh fails on.
     */
    private static SilentCloseable loopbackOnly() {
        return BugDetectors.allowNetworkConnections((host, port) -> host.equals("127.0.0.1") || host.equals("localhost"));
    }

    private static void assertAnsweredWithoutServerError(String kind, byte[] body) throws Exception {
        HttpResponse<String> response = http.post("/lstm/forward", body);
        String sent = new String(body, 0, Math.min(body.length, 400), StandardCharsets.UTF_8);
        int status = response.statusCode();
        assertThat(status).as("status for %s: %s", sent, response.body()).isBetween(200, 499);
        if (status == 200) {
            assertThat(SeedToyJson.JSON.readTree(response.body()).has("outputs")).as(response.body()).isTrue();
            count(kind + " 200", 1);
        } else {
            String title = ProblemJson.assertProblem(status, status,
                    response.headers().firstValue("Content-Type").orElse(null), response.body())
                    .path("title").asString();
            count(kind + " " + status + " " + title, 1);
        }
    }

    private static void count(String what, int n) {
        COUNTS.computeIfAbsent(what, k -> new LongAdder()).add(n);
    }
}
