package dev.lstmserve.web;

import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;

import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MvcResult;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** What the contract ("Errors") promises of every error response, checked in one place. */
public final class ProblemJson {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ProblemJson() {
    }

    /**
     * Asserts an RFC 9457 body with {@code status}, {@code title} and {@code detail}, and nothing of the service's
     * insides (stack frames, exception or class names).
     *
     * @return the parsed body
     */
    public static JsonNode assertProblem(int expectedStatus, int status, String contentType, String body) {
        assertThat(status).as("status of %s", body).isEqualTo(expectedStatus);
        assertThat(contentType).as("content type of %s", body).isNotNull();
        assertThat(MediaType.parseMediaType(contentType).isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .as("content type %s of %s is problem+json", contentType, body).isTrue();
        assertThat(body).doesNotContain("Exception", "\tat ", "at dev.", "dev.lstmserve", "tools.jackson", "java.",
                "org.springframework");
        JsonNode problem = JSON.readTree(body);
        assertThat(problem.path("status").asInt()).as(body).isEqualTo(expectedStatus);
        assertThat(problem.path("title").asString("")).as(body).isNotBlank();
        assertThat(problem.path("detail").asString("")).as(body).isNotBlank();
        return problem;
    }

    static JsonNode assertProblem(MvcResult result, int expectedStatus) throws UnsupportedEncodingException {
        MockHttpServletResponse response = result.getResponse();
        return assertProblem(expectedStatus, response.getStatus(), response.getContentType(),
                response.getContentAsString(StandardCharsets.UTF_8));
    }

    /** The {@code detail} of a problem response with status 400. */
    static String badRequestDetail(MvcResult result) throws UnsupportedEncodingException {
        return assertProblem(result, 400).path("detail").asString();
    }
}
