package dev.lstmserve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Consumer;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The real image, built from the project's Dockerfile and the jar that {@code ./mvnw package} made, run the way
 * operators run it: port 8080 published on 127.0.0.1 only, ready when Docker's own health check (GET /parity)
 * says healthy.
 *
 * <p>Skipped without a Docker engine, so {@code ./mvnw verify} works for everyone; with
 * {@code LSTM_REQUIRE_DOCKER=true} (set by {@code .ci/run}) a missing engine fails instead. The base image comes
 * from {@code BASE_IMAGE}, as for {@code docker build --build-arg BASE_IMAGE=...}.
 */
// DockerRequired must come first: JUnit evaluates conditions in registration order and stops at the first that
// disables, so it has to throw before @Testcontainers can turn a missing engine into a skip.
@ExtendWith(DockerImageIntegrationTests.DockerRequired.class)
@Testcontainers(disabledWithoutDocker = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerImageIntegrationTests {

    private static final String PUBLIC_BASE_IMAGE = "eclipse-temurin:17-jre";

    private static final int PORT = 8080;

    private static final Path PROJECT_DIR = Path.of("").toAbsolutePath();

    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(3);

    /** Built once (a fixed tag, kept so later builds reuse its layers) and shared by every container below. */
    private static final ImageFromDockerfile IMAGE = new ImageFromDockerfile("lstm-serve:integration-test", false)
        .withFileFromPath("Dockerfile", PROJECT_DIR.resolve("Dockerfile"))
        .withFileFromPath("target/lstm-serve.jar", PROJECT_DIR.resolve("target/lstm-serve.jar"))
        .withBuildArg("BASE_IMAGE", baseImage());

    @Container
    private static final GenericContainer<?> SERVICE = new GenericContainer<>(IMAGE)
        .withExposedPorts(PORT)
        .withCreateContainerCmdModifier(loopbackPortAndMemoryLimit())
        .waitingFor(Wait.forHealthcheck().withStartupTimeout(STARTUP_TIMEOUT));

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @BeforeAll
    static void jarWasPackaged() {
        assertThat(PROJECT_DIR.resolve("target/lstm-serve.jar"))
            .as("the image is built from the jar of `./mvnw package`; run the integration tests with `./mvnw verify`")
            .exists();
    }

    @Test
    @Order(1)
    void forwardAnswersTheSeedWindowsWithKerasShapes() throws Exception {
        HttpResponse<String> response = post("/lstm/forward", """
            {"tokens": [[7, 8, 0, 5], [6, 1, 3, 8], [2, 4, 5, 1]]}""");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertShape(body.path("outputs"), "outputs", 3, 4, 2);
        assertShape(body.path("state").path("h"), "state.h", 3, 2);
        assertShape(body.path("state").path("c"), "state.c", 3, 2);
    }

    @Test
    @Order(1)
    void parityPassesInsideTheImage() throws Exception {
        HttpResponse<String> response = get("/parity");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("passed").asBoolean(false)).as(response.body()).isTrue();
    }

    @Test
    @Order(1)
    void actuatorHealthIsUp() throws Exception {
        HttpResponse<String> response = get("/actuator/health");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("status").asString()).isEqualTo("UP");
    }

    @Test
    @Order(1)
    void portIsPublishedOnLoopbackOnly() {
        Ports.Binding[] bindings = SERVICE.getContainerInfo().getNetworkSettings().getPorts().getBindings()
            .get(ExposedPort.tcp(PORT));

        assertThat(bindings).isNotEmpty().allSatisfy(binding -> assertThat(binding.getHostIp()).isEqualTo("127.0.0.1"));
    }

    @Test
    @Order(1)
    void javaRunsAsPidOneAndNotAsRoot() throws Exception {
        String uid = SERVICE.execInContainer("id", "-u").getStdout().strip();
        String pidOne = SERVICE.execInContainer("cat", "/proc/1/cmdline").getStdout().replace('\0', ' ');

        assertThat(uid).isNotEmpty().isNotEqualTo("0");
        // Exec-form ENTRYPOINT: the JVM itself receives `docker stop`'s SIGTERM, not a shell in front of it.
        assertThat(pidOne).startsWith("java ");
    }

    @Test
    @Order(1)
    void jvmMapsTheClassDataArchiveOfTheTrainingRun() throws Exception {
        // The Dockerfile's training run wrote /app/lstm-serve.jsa. A JVM that cannot use an archive starts without
        // it, only slower, so the test looks at what the running JVM has mapped.
        String maps = SERVICE.execInContainer("cat", "/proc/1/maps").getStdout();

        assertThat(maps).as("/proc/1/maps").contains("/app/lstm-serve.jsa");
    }

    @Test
    @Order(1)
    void corruptModelStopsStartUpWithAMessageNamingTheFile() {
        // A truncated file, as from an interrupted copy.
        String brokenModel = """
            {"format": "lstm-serve-model", "version": 1, "name": "broken", "lstm": {"units": 2, "kernel": [[0.1,""";
        try (GenericContainer<?> broken = new GenericContainer<>(IMAGE)
            .withCopyToContainer(Transferable.of(brokenModel), "/models/broken.json")
            .withEnv("LSTM_MODEL_PATH", "/models/broken.json")
            .withStartupCheckStrategy(new UntilExited().withTimeout(STARTUP_TIMEOUT))) {

            broken.start();

            InspectContainerResponse.ContainerState state = broken.getCurrentContainerInfo().getState();
            String logs = broken.getLogs();
            assertThat(state.getExitCodeLong()).as(logs).isNotNull().isNotEqualTo(0L);
            // Spring Boot's failure report, naming the file and (in upper case, unlike the file name) what is wrong.
            assertThat(logs).contains("APPLICATION FAILED TO START")
                .contains("/models/broken.json")
                .contains("JSON")
                .doesNotContain("Started LstmServeApplication");
        }
    }

    /** Runs last: it stops the shared container. */
    @Test
    @Order(2)
    void sigtermShutsDownGracefully() {
        DockerClient docker = SERVICE.getDockerClient();
        String id = SERVICE.getContainerId();

        docker.stopContainerCmd(id).withTimeout(30).exec();

        InspectContainerResponse.ContainerState state = docker.inspectContainerCmd(id).exec().getState();
        String logs = SERVICE.getLogs();
        // 0: SIGTERM ran the graceful shutdown and the service exits as a success (ops/SigtermExit); 137 would mean
        // Docker had to SIGKILL it.
        assertThat(state.getExitCodeLong()).as(logs).isEqualTo(0L);
        assertThat(logs).contains("Commencing graceful shutdown").contains("Graceful shutdown complete");
    }

    private static void assertShape(JsonNode array, String name, int... shape) {
        assertThat(array.isArray()).as("%s is an array: %s", name, array).isTrue();
        assertThat(array.size()).as("%s has %d entries", name, shape[0]).isEqualTo(shape[0]);
        if (shape.length > 1) {
            int[] rest = Arrays.copyOfRange(shape, 1, shape.length);
            for (int i = 0; i < array.size(); i++) {
                assertShape(array.get(i), name + "[" + i + "]", rest);
            }
        }
        else {
            array.forEach(x -> assertThat(x.isNumber()).as("%s holds numbers: %s", name, array).isTrue());
        }
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Always 127.0.0.1: the port is published there and nowhere else. */
    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + SERVICE.getMappedPort(PORT) + path);
    }

    private static String baseImage() {
        String fromEnvironment = System.getenv("BASE_IMAGE");
        return (fromEnvironment == null || fromEnvironment.isBlank()) ? PUBLIC_BASE_IMAGE : fromEnvironment;
    }

    /**
     * Publishes 8080 on a free port of 127.0.0.1 only (Testcontainers' default binds every interface), and sets a
     * memory limit as operators give one (2 GiB): without a limit, on a host with more than ~43 GB the image's
     * MaxRAMPercentage=75 would give a heap above 32 GB, which runs without compressed oops and therefore without the
     * class data archive (docs/DOCKER.md).
     */
    private static Consumer<CreateContainerCmd> loopbackPortAndMemoryLimit() {
        return cmd -> cmd.getHostConfig()
            .withPortBindings(new PortBinding(Ports.Binding.bindIp("127.0.0.1"), ExposedPort.tcp(PORT)))
            .withMemory(2L << 30);
    }

    /** Start-up is over once the container has exited, whatever its exit code: the test examines it. */
    private static final class UntilExited extends StartupCheckStrategy {

        @Override
        public StartupStatus checkStartupState(DockerClient dockerClient, String containerId) {
            return Boolean.TRUE.equals(getCurrentState(dockerClient, containerId).getRunning())
                    ? StartupStatus.NOT_YET_KNOWN : StartupStatus.SUCCESSFUL;
        }
    }

    /**
     * Turns "no Docker engine" from a skip into a failure where {@code LSTM_REQUIRE_DOCKER=true}, so that CI cannot
     * pass without having run the image.
     */
    static final class DockerRequired implements ExecutionCondition {

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (Boolean.parseBoolean(System.getenv("LSTM_REQUIRE_DOCKER"))
                    && !DockerClientFactory.instance().isDockerAvailable()) {
                throw new IllegalStateException("LSTM_REQUIRE_DOCKER=true but no Docker engine answers; start one"
                        + " (bash ../shared/ci/docker-env.sh) or unset LSTM_REQUIRE_DOCKER to skip these tests");
            }
            return ConditionEvaluationResult.enabled("Docker is available or not required");
        }
    }
}
