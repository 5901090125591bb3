package dev.lstmserve.web;

import jakarta.servlet.ServletContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.AbstractMockHttpServletRequestBuilder;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

/**
 * {@code lstm.max-request-size} (1 KB in {@link ServingWebMvcTest}): a larger body gets 413 whether Content-Length
 * announces it or it comes chunked, without one; a body of exactly the limit is served.
 */
@ServingWebMvcTest
class RequestBodyLimitTests {

    private static final int LIMIT = 1024;

    @Autowired
    private MockMvc mvc;

    @ParameterizedTest(name = "chunked={0}")
    @ValueSource(booleans = {false, true})
    void bodyOverTheLimitIs413(boolean chunked) throws Exception {
        MvcResult result = mvc.perform(forward(paddedTo(LIMIT + 1), chunked)).andReturn();

        JsonNode problem = ProblemJson.assertProblem(result, 413);
        assertThat(problem.path("detail").asString()).contains("limit of 1024 bytes = 1 KiB", "lstm.max-request-size");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"PUT", "PATCH", "DELETE"})
    void chunkedFormOverTheLimitIs413NotAnErrorFromTheFormFilter(String method) throws Exception {
        // Spring's FormContentFilter reads such a body itself, before Spring MVC's message converters.
        byte[] form = ("window=" + "7".repeat(2 * LIMIT)).getBytes();
        MvcResult result = mvc.perform(new ChunkedRequest(HttpMethod.valueOf(method), "/lstm/forward")
                .contentType(MediaType.APPLICATION_FORM_URLENCODED).content(form)).andReturn();

        ProblemJson.assertProblem(result, 413);
    }

    @ParameterizedTest(name = "chunked={0}")
    @ValueSource(booleans = {false, true})
    void bodyFarOverTheLimitIs413(boolean chunked) throws Exception {
        ProblemJson.assertProblem(mvc.perform(forward(paddedTo(64 * LIMIT), chunked)).andReturn(), 413);
    }

    @ParameterizedTest(name = "chunked={0}")
    @ValueSource(booleans = {false, true})
    void bodyOfExactlyTheLimitIsServed(boolean chunked) throws Exception {
        MvcResult result = mvc.perform(forward(paddedTo(LIMIT), chunked)).andReturn();

        assertThat(result.getResponse().getStatus()).isEqualTo(200);
    }

    @ParameterizedTest(name = "chunked={0}")
    @ValueSource(booleans = {false, true})
    void serviceKeepsServingAfter413(boolean chunked) throws Exception {
        mvc.perform(forward(paddedTo(2 * LIMIT), chunked));

        assertThat(mvc.perform(forward(paddedTo(100), chunked)).andReturn().getResponse().getStatus()).isEqualTo(200);
    }

    /** A valid request for the seed windows, padded with white space to exactly {@code size} bytes. */
    private static byte[] paddedTo(int size) {
        String start = "{\"tokens\": [[7, 8, 0, 5]],";
        String end = "\"return_state\": false}";
        return (start + " ".repeat(size - start.length() - end.length()) + end).getBytes();
    }

    private static AbstractMockHttpServletRequestBuilder<?> forward(byte[] body, boolean chunked) {
        AbstractMockHttpServletRequestBuilder<?> request = chunked
                ? new ChunkedRequest(HttpMethod.POST, "/lstm/forward") : post("/lstm/forward");
        return request.contentType(MediaType.APPLICATION_JSON).content(body);
    }

    /**
     * A request whose body has no Content-Length, as with {@code Transfer-Encoding: chunked}: MockMvc's request always
     * reports the length of its content, so this one hides it.
     */
    private static final class ChunkedRequest extends AbstractMockHttpServletRequestBuilder<ChunkedRequest> {

        ChunkedRequest(HttpMethod method, String uri) {
            super(method);
            uri(uri);
            header("Transfer-Encoding", "chunked");
        }

        @Override
        protected MockHttpServletRequest createServletRequest(ServletContext servletContext) {
            return new MockHttpServletRequest(servletContext) {
                @Override
                public int getContentLength() {
                    return -1;
                }

                @Override
                public long getContentLengthLong() {
                    return -1;
                }
            };
        }
    }
}
