package dev.lstmserve.web;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import tools.jackson.databind.JsonNode;

import static dev.lstmserve.SeedToyJson.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

/** {@code GET /lstm/model}: what API.md says a client can learn about the served model, here seed-toy. */
@ServingWebMvcTest
class ModelControllerTests {

    @Autowired
    private MockMvc mvc;

    @Test
    void describesTheServedModelWithApiFieldNames() throws Exception {
        JsonNode model = describe();

        assertThat(model.path("name").asString()).isEqualTo("seed-toy");
        assertThat(model.path("source").asString()).isEqualTo("classpath:models/seed-toy.json");
        assertThat(model.path("format").asString()).isEqualTo("lstm-serve-json");
        assertThat(model.path("vocabulary_size").asInt()).isEqualTo(9);
        assertThat(model.path("embedding_size").asInt()).isEqualTo(2);
        assertThat(model.path("units").asInt()).isEqualTo(2);
        assertThat(model.path("activation").asString()).isEqualTo("tanh");
        assertThat(model.path("recurrent_activation").asString()).isEqualTo("sigmoid");
        assertThat(model.path("use_bias").isBoolean() && model.path("use_bias").asBoolean()).isTrue();
        assertThat(model.path("go_backwards").isBoolean() && !model.path("go_backwards").asBoolean()).isTrue();
        assertThat(model.path("mask_zero").isBoolean() && !model.path("mask_zero").asBoolean()).isTrue();
    }

    @Test
    void vocabularyListsTheWordOfEveryTokenId() throws Exception {
        JsonNode vocabulary = describe().path("vocabulary");

        assertThat(vocabulary.values()).extracting(JsonNode::asString)
                .containsExactly("<_unk>", "a", "but", "common", "flower", "is", "not", "the", "word");
    }

    @Test
    void layersAreEmbeddingThenLstmWithTheirKerasSettings() throws Exception {
        JsonNode layers = describe().path("layers");

        assertThat(layers.size()).isEqualTo(2);
        assertThat(layers.get(0).path("class_name").asString()).isEqualTo("Embedding");
        assertThat(layers.get(0).path("input_dim").asInt()).isEqualTo(9);
        assertThat(layers.get(0).path("output_dim").asInt()).isEqualTo(2);
        assertThat(layers.get(1).path("class_name").asString()).isEqualTo("LSTM");
        assertThat(layers.get(1).path("units").asInt()).isEqualTo(2);
        assertThat(layers.get(1).path("activation").asString()).isEqualTo("tanh");
        assertThat(layers.get(1).path("recurrent_activation").asString()).isEqualTo("sigmoid");
    }

    @Test
    void namesAreSnakeCaseLikeKeras() throws Exception {
        JsonNode model = describe();

        assertThat(model.propertyNames()).allSatisfy(name -> assertThat(name).matches("[a-z0-9_]+"));
        model.path("layers").forEach(layer -> assertThat(layer.propertyNames())
                .allSatisfy(name -> assertThat(name).matches("[a-z0-9_]+")));
    }

    private JsonNode describe() throws Exception {
        MvcResult result = mvc.perform(get("/lstm/model").accept(MediaType.APPLICATION_JSON)).andReturn();
        assertThat(result.getResponse().getStatus()).isEqualTo(200);
        return JSON.readTree(result.getResponse().getContentAsString(StandardCharsets.UTF_8));
    }
}
