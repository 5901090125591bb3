package dev.lstmserve.web;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import tools.jackson.databind.JsonNode;

import static dev.lstmserve.SeedToyJson.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

/**
 * Serving {@code src/test/resources/models-without-samples/relu-overflow.json}, an LSTM(1, relu) whose state grows about elevenfold every step:
 * a long window overflows float32. JSON has no number for ±Infinity or NaN, so the service answers 422 naming the
 * layer, row and step instead of writing non-numbers into a numeric array.
 */
@ServingWebMvcTest
@TestPropertySource(properties = "lstm.model.path=src/test/resources/models-without-samples/relu-overflow.json")
class NonFiniteOutputTests {

    @Autowired
    private MockMvc mvc;

    private MvcResult forward(int steps) throws Exception {
        StringBuilder window = new StringBuilder("[");
        for (int t = 0; t < steps; t++) {
            window.append(t == 0 ? "" : ",").append("[1]");
        }
        window.append("]");
        return mvc.perform(post("/lstm/forward").contentType(MediaType.APPLICATION_JSON).content(
                "{\"inputs\": [" + window + ", " + window + "]}")).andReturn();
    }

    @Test
    void anOverflowingWindowIsRefusedNamingLayerRowAndStep() throws Exception {
        MvcResult result = forward(60);

        assertThat(result.getResponse().getStatus()).isEqualTo(422);
        assertThat(result.getResponse().getContentType()).isEqualTo("application/problem+json");
        JsonNode problem = JSON.readTree(result.getResponse().getContentAsString(StandardCharsets.UTF_8));
        assertThat(problem.path("layer").asString()).isEqualTo("lstm");
        assertThat(problem.path("row").asInt()).isZero();
        assertThat(problem.path("step").asInt()).isBetween(20, 59);
        assertThat(problem.path("detail").asString()).contains("'lstm'", "row 0, step " + problem.path("step").asInt(),
                "left float32");
        // The body parsed above with Jackson's defaults, which refuse NaN and Infinity as numbers: it is strict JSON.
    }

    @Test
    void aShortWindowOfTheSameModelIsServed() throws Exception {
        MvcResult result = forward(5);

        assertThat(result.getResponse().getStatus()).isEqualTo(200);
        JsonNode outputs = JSON.readTree(result.getResponse().getContentAsString(StandardCharsets.UTF_8)).path("outputs");
        assertThat(outputs.get(0).get(4).get(0).doubleValue()).isGreaterThan(1000.0);
    }
}
