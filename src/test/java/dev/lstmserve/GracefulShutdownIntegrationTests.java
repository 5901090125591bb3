package dev.lstmserve;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jar as operators run it, stopped with SIGTERM ({@link Process#destroy()} on Linux) while a request is
 * in flight: that request completes with Keras' numbers, new connections are refused, and the process exits 0 within
 * the shutdown timeout (30 s). One JVM start, to keep the test within a minute.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class GracefulShutdownIntegrationTests {

    private static final Path JAR = Path.of("target/lstm-serve.jar").toAbsolutePath();
    private static final Duration STARTUP = Duration.ofSeconds(45);

    private Process service;
    private Path log;

    @BeforeAll
    static void jarWasPackaged() {
        assertThat(JAR).as("the jar of `./mvnw package`; run the integration tests with `./mvnw verify`").exists();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (service != null && service.isAlive()) {
            service.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void sigtermLetsTheRequestInFlightCompleteRefusesNewOnesAndExitsZero() throws Exception {
        int port = freePort();
        start(port);
        LocalHttp http = new LocalHttp(port);
        byte[] body = SeedToyJson.seedRequest().getBytes(StandardCharsets.UTF_8);
        int half = body.length / 2;

        long stopping;
        try (Socket inFlight = new Socket("127.0.0.1", port)) {
            inFlight.setSoTimeout(30_000);
            OutputStream out = inFlight.getOutputStream();
            // Headers and half the body: the request is in the application, which waits for the rest.
            out.write(("POST /lstm/forward HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, half);
            out.flush();
            awaitActiveRequests(http, 1);

            stopping = System.nanoTime();
            service.destroy();
            awaitRefused(port);

            out.write(body, half, body.length - half);
            out.flush();
            String response = readResponse(inFlight.getInputStream());
            assertThat(response).as("the in-flight request's answer; log:%n%s", log()).startsWith("HTTP/1.1 200");
            String json = response.substring(response.indexOf("\r\n\r\n") + 4);
            SeedToyJson.assertMatchesSample(SeedToyJson.JSON.readTree(dechunk(json)),
                    SeedToyJson.paritySample("seed-toy/return_sequences+return_state"));
        }

        assertThat(service.waitFor(40, TimeUnit.SECONDS)).as("exited; log:%n%s", log()).isTrue();
        assertThat(service.exitValue()).as("exit status; log:%n%s", log()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - stopping)).as("SIGTERM to exit")
                .isLessThan(Duration.ofSeconds(30));
        assertThat(log()).contains("Commencing graceful shutdown", "Graceful shutdown complete");
    }

    private void start(int port) throws Exception {
        log = Files.createTempFile(Path.of("target"), "graceful-shutdown-", ".log");
        service = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "--server.port=" + port, "--server.address=127.0.0.1"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        LocalHttp http = new LocalHttp(port);
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(service.isAlive()).as("the service is running; log:%n%s", log()).isTrue();
            try {
                if (http.get("/actuator/health/readiness").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not ready within " + STARTUP + "; log:\n" + log());
    }

    /** Waits until the service counts {@code count} compute requests in progress (lstm_requests_active). */
    private void awaitActiveRequests(LocalHttp http, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (http.scrape().value("lstm_requests_active") < count) {
            assertThat(System.nanoTime()).as("a request in progress within 20 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Waits until a new connection is refused: the server no longer takes requests. */
    private void awaitRefused(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                assertThat(System.nanoTime()).as("new connections refused within 20 s; log:%n%s", log())
                        .isLessThan(deadline);
            } catch (ConnectException refused) {
                return;
            }
            Thread.sleep(20);
        }
    }

    private static String readResponse(InputStream in) throws IOException {
        // The service answers and, shutting down, closes the connection.
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    /** The body of a chunked response (or the body itself when it is not chunked). */
    private static String dechunk(String body) {
        if (body.startsWith("{")) {
            return body;
        }
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = body.indexOf("\r\n", at);
            int size = Integer.parseInt(body.substring(at, lineEnd).strip(), 16);
            if (size == 0) {
                return out.toString();
            }
            out.append(body, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
    }

    private String log() {
        try {
            return log == null ? "" : Files.readString(log);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
