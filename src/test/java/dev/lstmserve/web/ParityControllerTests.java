package dev.lstmserve.web;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import dev.lstmserve.SeedToyJson;
import dev.lstmserve.inference.LstmInference;
import dev.lstmserve.model.LstmModel;
import dev.lstmserve.model.ModelLoader;
import dev.lstmserve.parity.ParityCase;
import dev.lstmserve.parity.ParityChecker;
import dev.lstmserve.parity.ParityReport;
import dev.lstmserve.parity.ParityService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import tools.jackson.databind.JsonNode;

import static dev.lstmserve.SeedToyJson.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

/** {@code GET /parity}: the report's shape, 200 when every case passes and 503 when one fails. */
@ServingWebMvcTest
class ParityControllerTests {

    @Autowired
    private MockMvc mvc;

    /** The real service, spied: only {@link #failingCaseAnswers503WithTheFailingTensor} stubs it. */
    @Autowired
    private ParityService parity;

    @Test
    void passingRunAnswers200WithEveryCaseAndTensor() throws Exception {
        MvcResult result = mvc.perform(get("/parity")).andReturn();

        assertThat(result.getResponse().getStatus()).isEqualTo(200);
        JsonNode report = JSON.readTree(result.getResponse().getContentAsString(StandardCharsets.UTF_8));
        assertThat(report.path("passed").asBoolean()).isTrue();
        assertThat(report.path("rtol").doubleValue()).isEqualTo(1e-5);
        assertThat(report.path("atol").doubleValue()).isEqualTo(1e-6);
        java.util.List<String> names = report.path("cases").values().stream().map(c -> c.path("name").asString())
                .toList();
        // The seed example's samples, then the served engine's kernels against the float64 equations (vector or
        // scalar, whichever this JVM and CPU run).
        assertThat(names.subList(0, names.size() - 1)).containsExactlyInAnyOrderElementsOf(
                SeedToyJson.paritySamples().stream().map(s -> s.path("name").asString()).toList());
        assertThat(names.get(names.size() - 1))
                .matches("engine vs float64 equations \\(E=2, H=2; (vector|scalar) kernels\\): lstm");
        for (JsonNode parityCase : report.path("cases")) {
            assertThat(parityCase.path("passed").asBoolean()).as("%s", parityCase).isTrue();
            assertThat(parityCase.path("checks").values()).extracting(c -> c.path("tensor").asString())
                    .as("%s", parityCase).contains("outputs").isSubsetOf("outputs", "h", "c");
            for (JsonNode check : parityCase.path("checks")) {
                assertThat(check.path("allclose").asBoolean()).as("%s", check).isTrue();
                assertThat(check.path("max_abs_error").isNumber()).as("%s", check).isTrue();
                assertThat(check.path("max_abs_error").doubleValue()).as("%s", check).isBetween(0.0, 1e-5);
            }
        }
        JsonNode full = report.path("cases").values().stream()
                .filter(c -> c.path("name").asString().equals("seed-toy/return_sequences+return_state"))
                .findFirst().orElseThrow();
        assertThat(full.path("checks").values()).extracting(c -> c.path("tensor").asString())
                .containsExactly("outputs", "h", "c");
    }

    @Test
    void failingCaseAnswers503WithTheFailingTensor(@TempDir Path dir) throws Exception {
        // A real failing report: seed-toy's own engine against a copy whose recorded h[1][0] is off by 1.
        LstmModel wrong = ModelLoader.load(SeedToyJson.writeWithWrongExpectedH(dir));
        LstmInference engine = new LstmInference(wrong);
        List<ParityCase> cases = wrong.parity().stream().map(sample -> new ParityCase(sample, engine)).toList();
        ParityReport failing = ParityChecker.check(cases, 1e-5, 1e-6);
        assertThat(failing.passed()).isFalse();
        doReturn(failing).when(parity).runNow();

        MvcResult result = mvc.perform(get("/parity").accept(MediaType.APPLICATION_JSON)).andReturn();

        assertThat(result.getResponse().getStatus()).isEqualTo(503);
        assertThat(MediaType.parseMediaType(result.getResponse().getContentType())
                .isCompatibleWith(MediaType.APPLICATION_JSON)).isTrue();
        JsonNode report = JSON.readTree(result.getResponse().getContentAsString(StandardCharsets.UTF_8));
        assertThat(report.path("passed").asBoolean()).isFalse();
        JsonNode failed = report.path("cases").values().stream().filter(c -> !c.path("passed").asBoolean())
                .findFirst().orElseThrow();
        assertThat(failed.path("name").asString()).isEqualTo(SeedToyJson.wrongSampleName());
        JsonNode h = failed.path("checks").values().stream().filter(c -> c.path("tensor").asString().equals("h"))
                .findFirst().orElseThrow();
        assertThat(h.path("allclose").asBoolean()).isFalse();
        assertThat(h.path("max_abs_error").doubleValue()).isCloseTo(1.0, within(1e-5));
        assertThat(report.path("cases").values()).filteredOn(c -> c.path("passed").asBoolean()).hasSize(3);
    }

    @Test
    void unexpectedFailureIs500ProblemWithoutItsCause() throws Exception {
        doThrow(new IllegalStateException("secret at dev.lstmserve.parity.ParityService")).when(parity).runNow();

        MvcResult result = mvc.perform(get("/parity")).andReturn();

        JsonNode problem = ProblemJson.assertProblem(result, 500);
        assertThat(problem.path("detail").asString()).contains("service log", "id").doesNotContain("secret");
    }

    @Test
    void everyRequestRunsTheCheckAgain() throws Exception {
        mvc.perform(get("/parity"));
        mvc.perform(get("/parity"));

        verify(parity, times(2)).runNow();
    }
}
