package dev.lstmserve.web;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.lstmserve.SeedToyJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import tools.jackson.databind.JsonNode;

import static dev.lstmserve.SeedToyJson.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

/**
 * Every bad body of API.md "Errors" on {@code POST /lstm/forward} (seed-toy: vocabulary [0, 9), E = 2, H = 2): 400
 * problem+json whose detail names the field and the value or shape, never 500.
 */
@ServingWebMvcTest
class ForwardRequestErrorTests {

    private static final String STATE = "\"initial_state\": {\"h\": [[0.1, 0.2]], \"c\": [[0.1, 0.2]]}";

    @Autowired
    private MockMvc mvc;

    static Stream<Arguments> malformedJson() {
        return Stream.of(
                argumentSet("unclosed array", "{\"tokens\": [[1, 2]", List.of("malformed JSON", "line 1, column")),
                argumentSet("extra close", "{\"tokens\": [[1, 2]]]}", List.of("malformed JSON", "line 1, column 20")),
                argumentSet("not JSON", "tokens=1,2", List.of("malformed JSON", "line 1, column 1")),
                argumentSet("single quotes", "{'tokens': [[1]]}", List.of("malformed JSON")),
                argumentSet("empty body", "", List.of("request body", "missing")),
                argumentSet("JSON null", "null", List.of("request body", "missing")),
                argumentSet("array body", "[[1, 2]]", List.of("request body is an array", "expected an object")),
                argumentSet("two objects", "{\"tokens\": [[1]]} {\"tokens\": [[2]]}",
                        List.of("goes on after its JSON object", "line 1, column 19")));
    }

    @ParameterizedTest
    @MethodSource("malformedJson")
    void malformedJsonIsABadRequestSayingWhere(String body, List<String> detail) throws Exception {
        assertThat(badRequest(body)).contains(detail).doesNotContain("Source:", "StreamReadFeature");
    }

    /** Bodies over the parser's own limits are larger than this slice's 1 KiB body limit: LstmServeApplicationTests. */
    static Stream<Arguments> parserRefusals() {
        return Stream.of(
                argumentSet("a leading plus sign", "{\"inputs\": [[[+1, 2]]]}", List.of("malformed JSON", "'+'")),
                argumentSet("a comment", "{\"tokens\": [[1]] /* c */}", List.of("malformed JSON", "comment")),
                argumentSet("a token id beyond int", "{\"tokens\": [[2147483648]]}",
                        List.of("tokens[0][0]", "out of range", "int")),
                argumentSet("a field given twice", "{\"tokens\": [[1, 2]], \"tokens\": [[3]]}",
                        List.of("Duplicate", "tokens")));
    }

    /** API.md: errors never show the service's insides, Jackson's class, method and setting names included. */
    @ParameterizedTest
    @MethodSource("parserRefusals")
    void parserRefusalsAreExplainedWithoutJacksonsInsides(String body, List<String> detail) throws Exception {
        assertThat(badRequest(body)).contains(detail)
                .doesNotContain("`", "Constraints", "ReadFeature", "ALLOW_", "()", "Source:");
    }

    static Stream<Arguments> wrongTypes() {
        return Stream.of(
                argumentSet("string token", "{\"tokens\": [[1, \"a\"]]}",
                        List.of("tokens[0][1] is a string; expected an integer")),
                argumentSet("\"7\" as token id", "{\"tokens\": [[7, 8, \"7\"]]}",
                        List.of("tokens[0][2] is a string; expected an integer")),
                argumentSet("1.5 as token id", "{\"tokens\": [[7, 8, 0, 1.5]]}",
                        List.of("tokens[0][3] = 1.5 is not an integer")),
                argumentSet("7.0 as token id", "{\"tokens\": [[7.0]]}",
                        List.of("tokens[0][0] = 7.0 is not an integer")),
                argumentSet("boolean token", "{\"tokens\": [[true]]}", List.of("tokens[0][0]", "integer")),
                argumentSet("object for tokens", "{\"tokens\": {\"0\": [1, 2]}}",
                        List.of("tokens is an object; expected an array")),
                argumentSet("string for tokens", "{\"tokens\": \"7 8 0 5\"}",
                        List.of("tokens is a string; expected an array")),
                argumentSet("tokens [T] not [B][T]", "{\"tokens\": [7, 8, 0, 5]}",
                        List.of("tokens[0] is a number; expected an array")),
                argumentSet("string for return_state", "{\"tokens\": [[1]], \"return_state\": \"true\"}",
                        List.of("return_state is a string; expected true or false")),
                argumentSet("number for return_sequences", "{\"tokens\": [[1]], \"return_sequences\": 1}",
                        List.of("return_sequences = 1 is not true or false")),
                argumentSet("string for text", "{\"text\": \"the word\"}",
                        List.of("text is a string; expected an array")),
                argumentSet("object in text", "{\"text\": [{\"the\": 1}]}",
                        List.of("text[0] is an object; expected a string")),
                argumentSet("string input", "{\"inputs\": [[[0.1, \"0.5\"]]]}",
                        List.of("inputs[0][0][1] is a string; expected a number")),
                argumentSet("inputs [B][T] not [B][T][E]", "{\"inputs\": [[0.1, 0.2]]}",
                        List.of("inputs[0][0] is a number; expected an array")),
                argumentSet("state rows flat", "{\"tokens\": [[1]], \"initial_state\": {\"h\": [0.1, 0.2],"
                        + " \"c\": [0.1, 0.2]}}", List.of("initial_state.h[0] is a number; expected an array")),
                argumentSet("array for initial_state", "{\"tokens\": [[1]], \"initial_state\": [[0.1, 0.2]]}",
                        List.of("initial_state is an array; expected an object")),
                argumentSet("number for initial_state", "{\"tokens\": [[1]], \"initial_state\": 5}",
                        List.of("initial_state is a number; expected an object")));
    }

    @ParameterizedTest
    @MethodSource("wrongTypes")
    void wrongTypesNameTheFieldWhatItIsAndWhatIsExpected(String body, List<String> detail) throws Exception {
        assertThat(badRequest(body)).contains(detail);
    }

    @Test
    void numberAsTextWindowIsRefused() throws Exception {
        assertThat(badRequest("{\"text\": [5]}")).contains("text[0]", "string");
        assertThat(badRequest("{\"text\": [true]}")).contains("text[0]", "string");
    }

    @Test
    void arrayAsTextWindowNamesTheWindow() throws Exception {
        assertThat(badRequest("{\"text\": [[\"the\", \"word\"]]}")).contains("text[0]", "array", "string");
    }

    static Stream<Arguments> nullsInsideArrays() {
        return Stream.of(
                argumentSet("null token id", "{\"tokens\": [[1, null]]}", List.of("tokens[0][1] is null")),
                argumentSet("null window of tokens", "{\"tokens\": [null, [1]]}", List.of("tokens[0] is null")),
                argumentSet("null window of text", "{\"text\": [\"the\", null]}", List.of("text[1] is null")),
                argumentSet("null input", "{\"inputs\": [[[0.1, null]]]}", List.of("inputs[0][0][1] is null")),
                argumentSet("null input step", "{\"inputs\": [[[0.1, 0.2], null]]}",
                        List.of("inputs[0][1] has no features; expected 2")),
                argumentSet("null input window", "{\"inputs\": [null]}", List.of("inputs[0] is null")),
                argumentSet("null state value", "{\"tokens\": [[1]], \"initial_state\": {\"h\": [[0.1, null]],"
                        + " \"c\": [[0.1, 0.2]]}}", List.of("initial_state.h[0][1] is null")),
                argumentSet("null state row", "{\"tokens\": [[1]], \"initial_state\": {\"h\": [[0.1, 0.2]],"
                        + " \"c\": [null]}}", List.of("initial_state.c[0] has no values; expected 2")));
    }

    @ParameterizedTest
    @MethodSource("nullsInsideArrays")
    void nullInsideAnArrayNamesItsPlace(String body, List<String> detail) throws Exception {
        assertThat(badRequest(body)).contains(detail);
    }

    static Stream<Arguments> raggedWindows() {
        return Stream.of(
                argumentSet("tokens", "{\"tokens\": [[7, 8, 0, 5], [6, 1, 3]]}",
                        List.of("tokens[1] has 3 steps; expected 4 like tokens[0]")),
                argumentSet("text", "{\"text\": [\"the word\", \"the word is\"]}",
                        List.of("text[1] has 3 words; expected 2 like text[0]")),
                argumentSet("inputs", "{\"inputs\": [[[0.1, 0.2], [0.3, 0.4]], [[0.1, 0.2]]]}",
                        List.of("inputs[1] has 1 steps; expected 2 like inputs[0]")));
    }

    @ParameterizedTest
    @MethodSource("raggedWindows")
    void raggedWindowsNameTheWindowAndBothLengths(String body, List<String> detail) throws Exception {
        assertThat(badRequest(body)).contains(detail);
    }

    static Stream<Arguments> emptyBatchOrWindow() {
        return Stream.of(
                argumentSet("no token windows", "{\"tokens\": []}", List.of("tokens is empty")),
                argumentSet("no text windows", "{\"text\": []}", List.of("text is empty")),
                argumentSet("no input windows", "{\"inputs\": []}", List.of("inputs is empty")),
                argumentSet("empty token window", "{\"tokens\": [[]]}", List.of("tokens[0] is empty")),
                argumentSet("second token window empty", "{\"tokens\": [[1], []]}", List.of("tokens[1] is empty")),
                argumentSet("blank text window", "{\"text\": [\" \\t \"]}", List.of("text[0]", "has no words")),
                argumentSet("empty input window", "{\"inputs\": [[]]}", List.of("inputs[0] is empty")));
    }

    @ParameterizedTest
    @MethodSource("emptyBatchOrWindow")
    void emptyBatchOrWindowIsNamed(String body, List<String> detail) throws Exception {
        assertThat(badRequest(body)).contains(detail);
    }

    static Stream<Arguments> notExactlyOneInput() {
        return Stream.of(
                argumentSet("none", "{}", List.of("exactly one of tokens, text or inputs", "got none")),
                argumentSet("only flags", "{\"return_state\": false, " + STATE + "}",
                        List.of("exactly one of tokens, text or inputs", "got none")),
                argumentSet("tokens and text", "{\"tokens\": [[1]], \"text\": [\"a\"]}",
                        List.of("got tokens and text")),
                argumentSet("tokens and inputs", "{\"tokens\": [[1]], \"inputs\": [[[0.1, 0.2]]]}",
                        List.of("got tokens and inputs")),
                argumentSet("all three", "{\"tokens\": [[1]], \"text\": [\"a\"], \"inputs\": [[[0.1, 0.2]]]}",
                        List.of("got tokens and text and inputs")));
    }

    @ParameterizedTest
    @MethodSource("notExactlyOneInput")
    void notExactlyOneOfTokensTextInputsSaysWhatCame(String body, List<String> detail) throws Exception {
        assertThat(badRequest(body)).contains(detail);
    }

    @Test
    void tokenOutsideVocabularyNamesFieldValueAndRange() throws Exception {
        MvcResult result = perform("{\"tokens\": [[7, 8, 0, 5], [6, 1, 3, 12], [2, 4, 5, 1]]}");

        JsonNode problem = ProblemJson.assertProblem(result, 400);
        assertThat(problem.path("detail").asString()).isEqualTo("tokens[1][3] = 12 is outside the vocabulary [0, 9)");
        assertThat(problem.path("field").asString()).isEqualTo("tokens[1][3]");
    }

    static Stream<Arguments> tokenIdsThatAreNoId() {
        return Stream.of(
                argumentSet("vocabulary size", "{\"tokens\": [[9]]}",
                        List.of("tokens[0][0] = 9 is outside the vocabulary [0, 9)")),
                argumentSet("negative", "{\"tokens\": [[7, -1]]}",
                        List.of("tokens[0][1] = -1 is outside the vocabulary [0, 9)")),
                argumentSet("int min", "{\"tokens\": [[-2147483648]]}",
                        List.of("tokens[0][0] = -2147483648 is outside the vocabulary [0, 9)")),
                argumentSet("int overflow", "{\"tokens\": [[7, 2147483648]]}",
                        List.of("tokens[0][1]", "2147483648", "out of range")),
                argumentSet("long overflow", "{\"tokens\": [[99999999999999999999999]]}",
                        List.of("tokens[0][0]", "99999999999999999999999", "out of range")),
                argumentSet("negative overflow", "{\"tokens\": [[-2147483649]]}",
                        List.of("tokens[0][0]", "-2147483649", "out of range")));
    }

    @ParameterizedTest
    @MethodSource("tokenIdsThatAreNoId")
    void tokenIdOutsideTheVocabularyOrIntIsNamed(String body, List<String> detail) throws Exception {
        assertThat(badRequest(body)).contains(detail);
    }

    @Test
    void wrongFeatureSizeNamesTheStepAndTheModelsSize() throws Exception {
        assertThat(badRequest("{\"inputs\": [[[0.1, 0.2, 0.3]]]}"))
                .contains("inputs[0][0] has 3 features; expected 2");
        assertThat(badRequest("{\"inputs\": [[[0.1, 0.2], [0.3]]]}"))
                .contains("inputs[0][1] has 1 features; expected 2");
    }

    static Stream<Arguments> stateShapes() {
        String tokens3 = "\"tokens\": [[1], [2], [3]]";
        return Stream.of(
                argumentSet("h rows neither B nor 1", "{" + tokens3 + ", \"initial_state\": {\"h\": [[0.1, 0.2],"
                        + " [0.1, 0.2]], \"c\": [[0.1, 0.2]]}}",
                        List.of("initial_state.h has 2 rows; expected 3 (batch) or 1")),
                argumentSet("c rows neither B nor 1", "{" + tokens3 + ", \"initial_state\": {\"h\": [[0.1, 0.2]],"
                        + " \"c\": [[0.1, 0.2], [0.1, 0.2], [0.1, 0.2], [0.1, 0.2]]}}",
                        List.of("initial_state.c has 4 rows; expected 3 (batch) or 1")),
                argumentSet("no rows", "{" + tokens3 + ", \"initial_state\": {\"h\": [], \"c\": []}}",
                        List.of("initial_state.h has 0 rows")),
                argumentSet("h columns not H", "{\"tokens\": [[1]], \"initial_state\": {\"h\": [[0.1, 0.2, 0.3]],"
                        + " \"c\": [[0.1, 0.2]]}}", List.of("initial_state.h[0] has 3 values; expected 2 (units)")),
                argumentSet("c columns not H", "{\"tokens\": [[1]], \"initial_state\": {\"h\": [[0.1, 0.2]],"
                        + " \"c\": [[0.1]]}}", List.of("initial_state.c[0] has 1 values; expected 2 (units)")),
                argumentSet("c missing", "{\"tokens\": [[1]], \"initial_state\": {\"h\": [[0.1, 0.2]]}}",
                        List.of("initial_state.c is missing")),
                argumentSet("h missing", "{\"tokens\": [[1]], \"initial_state\": {\"c\": [[0.1, 0.2]]}}",
                        List.of("initial_state.h is missing")),
                argumentSet("both missing", "{\"tokens\": [[1]], \"initial_state\": {}}",
                        List.of("initial_state.h is missing", "both h and c")));
    }

    @ParameterizedTest
    @MethodSource("stateShapes")
    void stateNotBxHOr1xHNamesTheTensorAndShape(String body, List<String> detail) throws Exception {
        assertThat(badRequest(body)).contains(detail);
    }

    static Stream<Arguments> nonFiniteNumbers() {
        List<Arguments> cases = new ArrayList<>();
        for (String[] number : new String[][] {{"NaN", "NaN"}, {"Infinity", "Infinity"}, {"-Infinity", "Infinity"},
                {"\"NaN\"", "NaN"}, {"\"Infinity\"", "Infinity"}, {"1e39", "1.0E39"}, {"-1e39", "-1.0E39"},
                {"1e400", "Infinity"}}) {
            cases.add(argumentSet("inputs " + number[0], "{\"inputs\": [[[0.1, 0.2], [0.3, " + number[0] + "]]]}",
                    List.of("inputs[0][1][1]", number[1])));
            cases.add(argumentSet("initial_state.h " + number[0], "{\"tokens\": [[1]], \"initial_state\": {\"h\": [["
                    + number[0] + ", 0.2]], \"c\": [[0.1, 0.2]]}}", List.of("initial_state.h[0][0]", number[1])));
            cases.add(argumentSet("initial_state.c " + number[0], "{\"tokens\": [[1]], \"initial_state\": {\"h\":"
                    + " [[0.1, 0.2]], \"c\": [[0.1, " + number[0] + "]]}}",
                    List.of("initial_state.c[0][1]", number[1])));
        }
        return cases.stream();
    }

    @ParameterizedTest
    @MethodSource("nonFiniteNumbers")
    void numberNotFiniteAsFloat32IsNamed(String body, List<String> detail) throws Exception {
        assertThat(badRequest(body)).contains(detail);
    }

    @Test
    void largestFloat32IsAccepted() throws Exception {
        assertThat(status("{\"inputs\": [[[0.1, 3.4e38]]]}")).isEqualTo(200);
        assertThat(status("{\"inputs\": [[[0.1, -3.4e38]]], \"initial_state\": {\"h\": [[3.4e38, 0]],"
                + " \"c\": [[-3.4e38, 0]]}}")).isEqualTo(200);
    }

    @Test
    void float32MaxAsPrintedIsAccepted() throws Exception {
        assertThat(status("{\"inputs\": [[[0.1, 3.4028235e38]]]}")).isEqualTo(200);
    }

    static Stream<Arguments> unknownFields() {
        return Stream.of(
                argumentSet("unknown", "{\"tokens\": [[1]], \"foo\": 1}",
                        List.of("unknown field \"foo\"", "known fields: initial_state, initial_states, inputs, layer,"
                                + " return_sequences, return_state, text, tokens")),
                argumentSet("camelCase", "{\"tokens\": [[1]], \"returnSequences\": false}",
                        List.of("unknown field \"returnSequences\"", "return_sequences")),
                argumentSet("the response's name for the state", "{\"tokens\": [[1]], \"state\": null}",
                        List.of("unknown field \"state\"", "initial_state")),
                argumentSet("inside initial_state", "{\"tokens\": [[1]], \"initial_state\": {\"h\": [[0.1, 0.2]],"
                        + " \"c\": [[0.1, 0.2]], \"x\": []}}",
                        List.of("unknown field \"x\" in initial_state", "known fields: c, direction, h, layer")));
    }

    @ParameterizedTest
    @MethodSource("unknownFields")
    void unknownFieldIsNamedWithTheKnownOnes(String body, List<String> detail) throws Exception {
        assertThat(badRequest(body)).contains(detail);
    }

    @Test
    void serviceKeepsServingAfterBadRequests() throws Exception {
        Stream.of(malformedJson(), wrongTypes(), nullsInsideArrays(), raggedWindows(), emptyBatchOrWindow(),
                notExactlyOneInput(), tokenIdsThatAreNoId(), stateShapes(), nonFiniteNumbers(), unknownFields())
                .flatMap(s -> s)
                .forEach(arguments -> {
                    try {
                        assertThat(status((String) arguments.get()[0])).isEqualTo(400);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });

        MvcResult result = perform(SeedToyJson.seedRequest());

        assertThat(result.getResponse().getStatus()).isEqualTo(200);
        JsonNode expected = SeedToyJson.paritySample("seed-toy/return_sequences+return_state").path("expected");
        JsonNode response = JSON.readTree(result.getResponse().getContentAsString(StandardCharsets.UTF_8));
        SeedToyJson.assertAllClose("outputs", response.path("outputs"), expected.path("outputs"));
    }

    private MvcResult perform(String body) throws Exception {
        return mvc.perform(post("/lstm/forward").contentType(MediaType.APPLICATION_JSON).content(body)).andReturn();
    }

    private int status(String body) throws Exception {
        return perform(body).getResponse().getStatus();
    }

    private String badRequest(String body) throws Exception {
        return ProblemJson.badRequestDetail(perform(body));
    }
}
