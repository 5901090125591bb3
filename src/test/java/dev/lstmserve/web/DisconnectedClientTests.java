package dev.lstmserve.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.context.request.ServletWebRequest;
import tools.jackson.core.exc.JacksonIOException;

/**
 * A client that closes its connection while its answer is being written (a load generator stopping, a caller's
 * timeout) is not an error of the service: no ERROR line, no stack trace, no 500 attempted. Found with wrk, whose
 * closing connections each logged "Unexpected error" with a Jackson "Broken pipe" stack trace (docs/PERFORMANCE.md).
 */
@ExtendWith(OutputCaptureExtension.class)
class DisconnectedClientTests {

    private final ProblemDetailsAdvice advice = new ProblemDetailsAdvice();

    private static ServletWebRequest request() {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/lstm/forward");
        return new ServletWebRequest(request, new MockHttpServletResponse());
    }

    @Test
    void aBrokenPipeWhileWritingTheAnswerIsNotLoggedAsAnError(CapturedOutput output) {
        // What Jackson's generator throws when Tomcat's write to a closed connection fails (seen in the logs).
        JacksonIOException e = JacksonIOException.construct(
                new IOException("ServletOutputStream failed to write: java.io.IOException: Broken pipe",
                        new IOException("Broken pipe")));

        ResponseEntity<Object> answer = advice.unexpected(e, request());

        assertThat(answer).isNull();
        assertThat(output).doesNotContain("Unexpected error").doesNotContain("Broken pipe");
    }

    @Test
    void aConnectionResetIsTreatedTheSame(CapturedOutput output) {
        ResponseEntity<Object> answer = advice.unexpected(
                new IllegalStateException("write failed", new IOException("Connection reset by peer")), request());

        assertThat(answer).isNull();
        assertThat(output).doesNotContain("Unexpected error");
    }

    @Test
    void anyOtherFailureIsStillA500LoggedWithItsId(CapturedOutput output) {
        ResponseEntity<Object> answer = advice.unexpected(new IllegalStateException("a bug"), request());

        assertThat(answer).isNotNull();
        assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
        assertThat(output).contains("Unexpected error").contains("a bug");
        // The id the answer gives the caller is the one the log line carries.
        String detail = ((ProblemDetail) answer.getBody()).getDetail();
        String id = detail.substring(detail.indexOf("under id ") + "under id ".length());
        assertThat(id).hasSize(36);
        assertThat(output).contains("Unexpected error " + id);
    }
}
