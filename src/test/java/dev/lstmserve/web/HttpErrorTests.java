package dev.lstmserve.web;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.request;

/** Spring MVC's own refusals (404, 405, 415, 406) in the contract's problem+json format. */
@ServingWebMvcTest
class HttpErrorTests {

    private static final String BODY = "{\"tokens\": [[7, 8, 0, 5]]}";

    @Autowired
    private MockMvc mvc;

    @ParameterizedTest
    @CsvSource({"GET, /nope", "GET, /lstm", "POST, /lstm/forward/x", "GET, /lstm/model/", "POST, /lstm/Forward",
            "GET, /parity.json"})
    void unknownPathIs404NamingThePath(HttpMethod method, String path) throws Exception {
        MvcResult result = mvc.perform(request(method, path).contentType(MediaType.APPLICATION_JSON).content(BODY))
                .andReturn();

        JsonNode problem = ProblemJson.assertProblem(result, 404);
        assertThat(problem.path("detail").asString()).contains(path);
    }

    @ParameterizedTest
    @CsvSource({"GET, /lstm/forward, POST", "PUT, /lstm/forward, POST", "DELETE, /parity, GET",
            "POST, /lstm/model, GET", "PATCH, /lstm/model, GET"})
    void wrongMethodIs405WithAllow(HttpMethod method, String path, String allowed) throws Exception {
        MvcResult result = mvc.perform(request(method, path).contentType(MediaType.APPLICATION_JSON).content(BODY))
                .andReturn();

        JsonNode problem = ProblemJson.assertProblem(result, 405);
        assertThat(problem.path("detail").asString()).contains(method.name());
        assertThat(result.getResponse().getHeader("Allow")).contains(allowed);
    }

    @ParameterizedTest
    @CsvSource({"text/plain", "application/xml", "application/x-www-form-urlencoded", "text/json"})
    void wrongContentTypeIs415NamingIt(String contentType) throws Exception {
        MvcResult result = mvc.perform(post("/lstm/forward").contentType(contentType).content(BODY)).andReturn();

        JsonNode problem = ProblemJson.assertProblem(result, 415);
        assertThat(problem.path("detail").asString()).contains(contentType);
    }

    @Test
    void missingContentTypeIs415() throws Exception {
        ProblemJson.assertProblem(mvc.perform(post("/lstm/forward").content(BODY)).andReturn(), 415);
    }

    @Test
    void jsonWithCharsetIsAccepted() throws Exception {
        MvcResult result = mvc.perform(post("/lstm/forward").contentType("application/json; charset=UTF-8")
                .content(BODY)).andReturn();

        assertThat(result.getResponse().getStatus()).isEqualTo(200);
    }

    @Test
    void acceptTextPlainIs406InProblemJson() throws Exception {
        ProblemJson.assertProblem(mvc.perform(post("/lstm/forward").contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.TEXT_PLAIN).content(BODY)).andReturn(), 406);
        ProblemJson.assertProblem(mvc.perform(get("/lstm/model").accept(MediaType.TEXT_PLAIN)).andReturn(), 406);
        ProblemJson.assertProblem(mvc.perform(get("/parity").accept(MediaType.TEXT_PLAIN)).andReturn(), 406);
    }

    @Test
    void badBodyWithAcceptTextPlainIsStillAProblem() throws Exception {
        MvcResult result = mvc.perform(post("/lstm/forward").contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.TEXT_PLAIN).content("{\"tokens\": [[12]]}")).andReturn();

        assertThat(result.getResponse().getStatus()).isBetween(400, 499);
        ProblemJson.assertProblem(result, result.getResponse().getStatus());
    }
}
