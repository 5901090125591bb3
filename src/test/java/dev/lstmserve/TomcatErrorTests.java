package dev.lstmserve;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import dev.lstmserve.web.ProblemJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests Tomcat refuses before the application sees them answer problem+json, not Tomcat's HTML page, and the
 * service goes on serving.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "server.address=127.0.0.1")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TomcatErrorTests {

    @LocalServerPort
    private int port;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            space in the request target   | GET /lstm model HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                     | 400 | HTTP protocol
            backslash in the target       | GET /lstm\\\\model HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                   | 400 | request target
            header line without a colon   | GET /parity HTTP/1.1\\r\\nHost: a\\r\\nBad Header\\r\\n\\r\\n         | 400 | header line
            control character in a header | GET /parity HTTP/1.1\\r\\nHost: a\\r\\nX-A: a\\u0001b\\r\\n\\r\\n     | 400 | header line
            no Host header                | GET /parity HTTP/1.1\\r\\n\\r\\n                                     | 400 | refused
            invalid Content-Length        | POST /lstm/forward HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: x\\r\\n\\r\\n | 400 | refused
            bad percent-encoding          | GET /par%zzity HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                      | 400 | hexadecimal
            encoded slash                 | GET /lstm%2fmodel HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                   | 400 | slash
            unknown HTTP version          | GET /parity HTTP/9.9\\r\\nHost: a\\r\\n\\r\\n                         | 505 | Version
            """)
    void malformedRequestIsAProblem(String what, String request, int status, String detail) throws Exception {
        String response = new LocalHttp(port).raw(unescape(request));

        assertProblemResponse(response, status, detail);
    }

    @Test
    void requestTargetTooLongIsAProblem() throws Exception {
        String response = new LocalHttp(port).raw(("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: a\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));

        assertProblemResponse(response, 400, "too large");
    }

    @Test
    void headersTooLargeAreAProblem() throws Exception {
        String response = new LocalHttp(port).raw(("GET /parity HTTP/1.1\r\nHost: a\r\nX-A: " + "b".repeat(20_000)
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));

        assertProblemResponse(response, 400, "too large");
    }

    @Test
    void serviceGoesOnAfterMalformedRequests() throws Exception {
        LocalHttp http = new LocalHttp(port);
        for (int i = 0; i < 20; i++) {
            http.raw("GET /lstm model HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }

        assertThat(http.post("/lstm/forward", SeedToyJson.seedRequest()).statusCode()).isEqualTo(200);
    }

    private static void assertProblemResponse(String response, int status, String detail) {
        assertThat(response).as("a response").startsWith("HTTP/1.1 " + status);
        int split = response.indexOf("\r\n\r\n");
        assertThat(split).as("headers end: %s", response).isPositive();
        String headers = response.substring(0, split);
        String body = response.substring(split + 4);
        String contentType = headers.lines().filter(line -> line.regionMatches(true, 0, "Content-Type:", 0, 13))
                .map(line -> line.substring(13).strip()).findFirst().orElse(null);
        assertThat(body).doesNotContainIgnoringCase("<html").doesNotContain("Tomcat");
        JsonNode problem = ProblemJson.assertProblem(status, status, contentType, body);
        assertThat(problem.path("detail").asString()).contains(detail);
    }

    /** {@code \r}, {@code \n}, {@code \\} and {@code \u0001} as written in the table. */
    private static byte[] unescape(String request) {
        String raw = request.replace("\\r", "\r").replace("\\n", "\n").replace("\\u0001", "\u0001")
                .replace("\\\\", "\\");
        return raw.getBytes(StandardCharsets.ISO_8859_1);
    }
}
