package dev.lstmserve.web;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import dev.lstmserve.SeedToyJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import tools.jackson.databind.JsonNode;

import static dev.lstmserve.SeedToyJson.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

/**
 * Serving {@code src/test/resources/models/inputs-only.json}: no Embedding, no vocabulary, LSTM(3, softsign, no bias,
 * go_backwards) over E = 5. Only {@code inputs} can run it.
 */
@ServingWebMvcTest
@TestPropertySource(properties = "lstm.model.path=src/test/resources/models/inputs-only.json")
class ModelWithoutVocabularyTests {

    private static final String TEXT = "{\"text\": [\"the word <_unk> is\"]}";
    private static final String INPUTS = "{\"inputs\": [[[0.1, 0.2, 0.3, 0.4, 0.5], [0.5, 0.4, 0.3, 0.2, 0.1]]]}";

    @Autowired
    private MockMvc mvc;

    static Stream<Arguments> paritySamples() {
        return SeedToyJson.testModel("inputs-only.json").path("parity").values().stream()
                .map(s -> Arguments.argumentSet(s.path("name").asString(), s));
    }

    @ParameterizedTest
    @MethodSource("paritySamples")
    void inputsEqualTheNumbersKerasRecorded(JsonNode sample) throws Exception {
        MvcResult result = forward(SeedToyJson.forwardRequest(sample));

        assertThat(result.getResponse().getStatus()).isEqualTo(200);
        JsonNode response = JSON.readTree(result.getResponse().getContentAsString(StandardCharsets.UTF_8));
        SeedToyJson.assertMatchesSample(response, sample);
        assertThat(response.path("model").asString()).isEqualTo("inputs-only");
    }

    @Test
    void textNeedsAModelWithAVocabulary() throws Exception {
        String detail = ProblemJson.badRequestDetail(forward(TEXT));

        assertThat(detail).contains("text", "vocabulary", "'inputs-only'", "send tokens or inputs");
    }

    @Test
    void tokensNeedAModelWithAnEmbedding() throws Exception {
        String detail = ProblemJson.badRequestDetail(forward("{\"tokens\": [[7, 8, 0, 5]]}"));

        assertThat(detail).contains("tokens", "Embedding", "'inputs-only'", "[batch][time][5]");
    }

    @Test
    void wrongFeatureSizeNamesTheModelsInputSize() throws Exception {
        String detail = ProblemJson.badRequestDetail(forward("{\"inputs\": [[[0.1, 0.2]]]}"));

        assertThat(detail).contains("inputs[0][0] has 2 features; expected 5");
    }

    @Test
    void stateColumnsMustBeTheModelsUnits() throws Exception {
        String detail = ProblemJson.badRequestDetail(forward("{\"inputs\": [[[0.1, 0.2, 0.3, 0.4, 0.5]]],"
                + " \"initial_state\": {\"h\": [[0.1, 0.2]], \"c\": [[0.1, 0.2]]}}"));

        assertThat(detail).contains("initial_state.h[0] has 2 values; expected 3 (units)");
    }

    @Test
    void stillServesInputsAfterRefusingText() throws Exception {
        forward(TEXT);

        assertThat(forward(INPUTS).getResponse().getStatus()).isEqualTo(200);
    }

    @Test
    void describesAModelWithoutVocabulary() throws Exception {
        MvcResult result = mvc.perform(get("/lstm/model")).andReturn();

        assertThat(result.getResponse().getStatus()).isEqualTo(200);
        JsonNode model = JSON.readTree(result.getResponse().getContentAsString(StandardCharsets.UTF_8));
        assertThat(model.path("name").asString()).isEqualTo("inputs-only");
        assertThat(model.path("source").asString()).endsWith("inputs-only.json");
        assertThat(model.path("vocabulary").isMissingNode() || model.path("vocabulary").isNull()).isTrue();
        assertThat(model.path("vocabulary_size").isMissingNode() || model.path("vocabulary_size").isNull()).isTrue();
        assertThat(model.path("units").asInt()).isEqualTo(3);
        assertThat(model.path("activation").asString()).isEqualTo("softsign");
        assertThat(model.path("use_bias").asBoolean()).isFalse();
        assertThat(model.path("go_backwards").asBoolean()).isTrue();
        assertThat(model.path("mask_zero").asBoolean()).isFalse();
        assertThat(model.path("layers").values()).extracting(l -> l.path("class_name").asString())
                .containsExactly("LSTM");
    }

    @Test
    void parityRunsTheSeedExampleAndTheModelsOwnSamples() throws Exception {
        MvcResult result = mvc.perform(get("/parity")).andReturn();

        assertThat(result.getResponse().getStatus()).isEqualTo(200);
        JsonNode report = JSON.readTree(result.getResponse().getContentAsString(StandardCharsets.UTF_8));
        assertThat(report.path("cases").values()).extracting(c -> c.path("name").asString())
                .contains("seed-toy/return_sequences+return_state", "inputs-only/state",
                        "inputs-only/broadcast-state-last-output");
    }

    private MvcResult forward(String body) throws Exception {
        return mvc.perform(post("/lstm/forward").contentType(MediaType.APPLICATION_JSON).content(body)).andReturn();
    }
}
