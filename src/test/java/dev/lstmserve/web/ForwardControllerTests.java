package dev.lstmserve.web;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

import dev.lstmserve.SeedToyJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import static dev.lstmserve.SeedToyJson.JSON;
import static dev.lstmserve.SeedToyJson.SEED_C_ROW;
import static dev.lstmserve.SeedToyJson.SEED_H_ROW;
import static dev.lstmserve.SeedToyJson.SEED_STATE;
import static dev.lstmserve.SeedToyJson.SEED_TEXT;
import static dev.lstmserve.SeedToyJson.SEED_TOKENS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

/** {@code POST /lstm/forward} on the embedded seed-toy model: Keras' numbers, Keras' shapes, and the state carried. */
@ServingWebMvcTest
class ForwardControllerTests {

    @Autowired
    private MockMvc mvc;

    static Stream<Arguments> seedParitySamples() {
        return SeedToyJson.paritySamples().stream().map(s -> Arguments.of(s.path("name").asString(), s));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("seedParitySamples")
    void seedWindowsEqualTheNumbersKerasRecorded(String name, JsonNode sample) throws Exception {
        JsonNode response = forward(SeedToyJson.forwardRequest(sample));

        JsonNode expected = sample.path("expected");
        SeedToyJson.assertAllClose("outputs", response.path("outputs"), expected.path("outputs"));
        if (sample.path("return_state").asBoolean()) {
            SeedToyJson.assertAllClose("state.h", response.path("state").path("h"), expected.path("h"));
            SeedToyJson.assertAllClose("state.c", response.path("state").path("c"), expected.path("c"));
        } else {
            assertThat(response.has("state")).as("state without return_state: %s", response).isFalse();
        }
        assertThat(response.path("model").asString()).isEqualTo("seed-toy");
    }

    @ParameterizedTest(name = "return_sequences={0}, return_state={1}")
    @CsvSource({"true, true, '[3, 4, 2]'", "true, false, '[3, 4, 2]'", "false, true, '[3, 2]'",
            "false, false, '[3, 2]'"})
    void shapesFollowReturnSequencesAndReturnStateLikeKeras(boolean returnSequences, boolean returnState,
                                                             String outputsShape) throws Exception {
        JsonNode response = forward("{\"tokens\": " + SEED_TOKENS + ", \"return_sequences\": " + returnSequences
                + ", \"return_state\": " + returnState + "}");

        assertThat(SeedToyJson.shape(response.path("outputs")).toString()).isEqualTo(outputsShape);
        if (returnState) {
            assertThat(SeedToyJson.shape(response.path("state").path("h"))).containsExactly(3, 2);
            assertThat(SeedToyJson.shape(response.path("state").path("c"))).containsExactly(3, 2);
        } else {
            assertThat(response.has("state")).isFalse();
        }
    }

    @Test
    void withoutFlagsReturnsSequencesAndState() throws Exception {
        String withoutFlags = forwardBody("{\"tokens\": " + SEED_TOKENS + "}");
        String withFlags = forwardBody("{\"tokens\": " + SEED_TOKENS
                + ", \"return_sequences\": true, \"return_state\": true}");

        assertThat(withoutFlags).isEqualTo(withFlags);
        assertThat(SeedToyJson.shape(JSON.readTree(withoutFlags).path("outputs"))).containsExactly(3, 4, 2);
    }

    @Test
    void lastOutputIsTheLastStepOfTheSequence() throws Exception {
        JsonNode sequences = forward("{\"tokens\": " + SEED_TOKENS + "}");
        JsonNode last = forward("{\"tokens\": " + SEED_TOKENS + ", \"return_sequences\": false}");

        for (int b = 0; b < 3; b++) {
            assertThat(last.path("outputs").get(b)).isEqualTo(sequences.path("outputs").get(b).get(3));
            assertThat(last.path("state").path("h").get(b)).isEqualTo(sequences.path("outputs").get(b).get(3));
        }
    }

    @Test
    void oneStateRowIsBroadcastToEveryWindow() throws Exception {
        String broadcast = forwardBody("{\"tokens\": " + SEED_TOKENS + ", \"initial_state\": " + SEED_STATE + "}");
        String repeated = forwardBody("{\"tokens\": " + SEED_TOKENS + ", \"initial_state\": {\"h\": ["
                + SEED_H_ROW + ", " + SEED_H_ROW + ", " + SEED_H_ROW + "], \"c\": [" + SEED_C_ROW
                + ", " + SEED_C_ROW + ", " + SEED_C_ROW + "]}}");

        assertThat(broadcast).isEqualTo(repeated);
        SeedToyJson.assertAllClose("outputs", JSON.readTree(broadcast).path("outputs"),
                SeedToyJson.paritySample("seed-toy/return_sequences+return_state").path("expected").path("outputs"));
    }

    @Test
    void initialStateHAndCReachTheEngineAsSent() throws Exception {
        // The seed's h and c rows differ (the notebook's first and second draw), so Keras' numbers tell them apart:
        // sent as recorded they match, sent swapped they must not.
        JsonNode sample = SeedToyJson.paritySample("seed-toy/return_sequences+return_state");
        ObjectNode request = (ObjectNode) JSON.readTree(SeedToyJson.forwardRequest(sample));
        SeedToyJson.assertMatchesSample(forward(JSON.writeValueAsString(request)), sample);

        ObjectNode state = (ObjectNode) request.path("initial_state");
        JsonNode h = state.get("h");
        state.set("h", state.get("c"));
        state.set("c", h);
        JsonNode swapped = forward(JSON.writeValueAsString(request));

        assertThat(state.get("h")).isNotEqualTo(state.get("c"));
        assertThatThrownBy(() -> SeedToyJson.assertMatchesSample(swapped, sample))
                .as("h and c swapped must not give Keras' numbers for the seed state")
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void withoutInitialStateStartsFromZeros() throws Exception {
        String absent = forwardBody("{\"tokens\": " + SEED_TOKENS + "}");
        String zeros = forwardBody("{\"tokens\": " + SEED_TOKENS
                + ", \"initial_state\": {\"h\": [[0, 0]], \"c\": [[0.0, 0.0]]}}");

        assertThat(absent).isEqualTo(zeros);
    }

    @Test
    void textEqualsTheTokensOfItsWords() throws Exception {
        String state = ", \"initial_state\": " + SEED_STATE + "}";

        String text = forwardBody("{\"text\": " + SEED_TEXT + state);
        String tokens = forwardBody("{\"tokens\": " + SEED_TOKENS + state);

        assertThat(text).isEqualTo(tokens);
    }

    @Test
    void textIsLowerCasedSplitOnWhiteSpaceAndUnknownWordsAreUnk() throws Exception {
        String seedWords = forwardBody("{\"text\": " + SEED_TEXT + "}");
        String otherSpelling = forwardBody("{\"text\": [\"  The WORD zebra\\tis \", \"NOT a  Common word\","
                + " \"but\\nflower is A\"]}");

        assertThat(otherSpelling).isEqualTo(seedWords);
    }

    @Test
    void inputsEqualTheTokensTheyEmbed() throws Exception {
        JsonNode embeddings = SeedToyJson.model().path("embedding").path("embeddings");
        JsonNode tokens = JSON.readTree(SEED_TOKENS);
        ArrayNode inputs = JSON.createArrayNode();
        for (JsonNode window : tokens) {
            ArrayNode steps = inputs.addArray();
            window.forEach(id -> steps.add(embeddings.get(id.asInt())));
        }

        String fromInputs = forwardBody("{\"inputs\": " + JSON.writeValueAsString(inputs) + "}");
        String fromTokens = forwardBody("{\"tokens\": " + SEED_TOKENS + "}");

        assertThat(fromInputs).isEqualTo(fromTokens);
    }

    @Test
    void stateSentBackVerbatimContinuesTheWindow() throws Exception {
        JsonNode whole = forward("{\"tokens\": " + SEED_TOKENS + ", \"initial_state\": " + SEED_STATE + "}");

        JsonNode first = forward("{\"tokens\": [[7, 8], [6, 1], [2, 4]], \"initial_state\": " + SEED_STATE + "}");
        JsonNode second = forward("{\"tokens\": [[0, 5], [3, 8], [5, 1]], \"initial_state\": "
                + JSON.writeValueAsString(first.path("state")) + "}");

        for (int b = 0; b < 3; b++) {
            List<JsonNode> halves = List.of(first.path("outputs").get(b).get(0), first.path("outputs").get(b).get(1),
                    second.path("outputs").get(b).get(0), second.path("outputs").get(b).get(1));
            for (int t = 0; t < 4; t++) {
                assertThat(floats(halves.get(t))).as("outputs[%d][%d]", b, t)
                        .containsExactly(floats(whole.path("outputs").get(b).get(t)));
            }
        }
        assertThat(second.path("state")).isEqualTo(whole.path("state"));
    }

    @Test
    void oneWindowGivesTheSameBitsAloneAsInABatch() throws Exception {
        JsonNode batch = forward("{\"tokens\": " + SEED_TOKENS + "}");
        JsonNode windows = JSON.readTree(SEED_TOKENS);

        for (int b = 0; b < 3; b++) {
            JsonNode alone = forward("{\"tokens\": [" + JSON.writeValueAsString(windows.get(b)) + "]}");
            assertThat(alone.path("outputs").get(0)).isEqualTo(batch.path("outputs").get(b));
            assertThat(alone.path("state").path("c").get(0)).isEqualTo(batch.path("state").path("c").get(b));
        }
    }

    @Test
    void numbersAreTheShortestDecimalsThatReadBackToTheSameFloat32() throws Exception {
        // README: outputs are float32 printed as the shortest decimal that reads back to the same float32. Nearly
        // every float32 has a longer float64 rendering (0.1f is 0.10000000149011612 as a double), so writing the
        // floats as doubles, or always with 9 digits, fails here. 64 windows of every word, with the seed state.
        Random random = new Random(7);
        int[][] tokens = new int[64][];
        for (int b = 0; b < tokens.length; b++) {
            tokens[b] = random.ints(4, 0, 9).toArray();
        }
        String response = forwardBody("{\"tokens\": " + JSON.writeValueAsString(tokens) + ", \"initial_state\": "
                + SEED_STATE + "}");

        List<String> numbers = new ArrayList<>();
        try (JsonParser parser = JSON.createParser(response)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token.isNumeric()) {
                    numbers.add(parser.getString());
                }
            }
        }
        assertThat(numbers).hasSize(64 * 4 * 2 + 2 * 64 * 2);
        for (String number : numbers) {
            float value = Float.parseFloat(number);
            assertThat(significantDigits(number)).as("digits of %s (float32 %s)", number, value)
                    .isEqualTo(shortestDigits(value));
        }
    }

    @Test
    void answersJsonNamingTheModel() throws Exception {
        MvcResult result = mvc.perform(post("/lstm/forward").contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.APPLICATION_JSON).content("{\"tokens\": [[1]]}")).andReturn();

        assertThat(result.getResponse().getStatus()).isEqualTo(200);
        assertThat(MediaType.parseMediaType(result.getResponse().getContentType()))
                .matches(type -> type.isCompatibleWith(MediaType.APPLICATION_JSON));
        JsonNode body = JSON.readTree(result.getResponse().getContentAsString(StandardCharsets.UTF_8));
        assertThat(body.propertyNames()).containsExactlyInAnyOrder("outputs", "state", "model");
        assertThat(body.path("model").asString()).isEqualTo("seed-toy");
    }

    /** Significant digits of a JSON number: {@code -4.905732E-4} has 7, {@code 0.0045683086} 8, {@code 0.0} 1. */
    private static int significantDigits(String number) {
        String mantissa = number.toLowerCase(Locale.ROOT).split("e")[0].replace("-", "").replace(".", "");
        String digits = mantissa.replaceFirst("^0+", "").replaceFirst("0+$", "");
        return Math.max(1, digits.length());
    }

    /** The fewest significant digits of a decimal that reads back as {@code value} (float32 needs at most 9). */
    private static int shortestDigits(float value) {
        for (int digits = 1; digits < 9; digits++) {
            if (new BigDecimal(value).round(new MathContext(digits, RoundingMode.HALF_EVEN)).floatValue() == value) {
                return digits;
            }
        }
        return 9;
    }

    private static float[] floats(JsonNode row) {
        float[] values = new float[row.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) row.get(i).doubleValue();
        }
        return values;
    }

    private JsonNode forward(String body) throws Exception {
        return JSON.readTree(forwardBody(body));
    }

    private String forwardBody(String body) throws Exception {
        MvcResult result = mvc.perform(post("/lstm/forward").contentType(MediaType.APPLICATION_JSON).content(body))
                .andReturn();
        String response = result.getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(result.getResponse().getStatus()).as("%s -> %s", body, response).isEqualTo(200);
        return response;
    }
}
