package dev.lstmserve.parity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.lstmserve.config.LstmProperties;
import dev.lstmserve.inference.LstmService;
import dev.lstmserve.model.ModelLoadException;
import dev.lstmserve.model.ModelLoader;
import dev.lstmserve.parity.ParityReport.CaseReport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.util.unit.DataSize;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Parity at start-up: every sample a model carries runs when the service is built, and a model whose samples do not
 * reproduce Keras is refused with a message naming the file, the sample, the tensor and the error.
 */
@ExtendWith(OutputCaptureExtension.class)
class ParityServiceTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path MASKED_TOY = Path.of("src/test/resources/models/masked-toy.json");

    @TempDir
    Path dir;

    @Test
    void theEmbeddedDefaultPassesWithItsOwnFourSamples() {
        ParityService parity = new ParityService(new LstmService(ModelLoader.loadDefault()), properties(1e-5, 1e-6));

        ParityReport report = parity.runNow();

        assertThat(report.passed()).isTrue();
        assertThat(report.rtol()).isEqualTo(1e-5);
        assertThat(report.atol()).isEqualTo(1e-6);
        assertThat(report.cases()).hasSize(5).allSatisfy(c -> assertThat(c.model()).isEqualTo("seed-toy"));
        assertThat(report.cases().get(4).name()).startsWith("engine vs float64 equations (E=2, H=2; ")
                .endsWith(" kernels): lstm");
    }

    @Test
    void anotherModelIsCheckedTogetherWithTheBuiltInSeedExample() {
        ParityService parity = new ParityService(new LstmService(ModelLoader.load(MASKED_TOY)), properties(1e-5, 1e-6));

        ParityReport report = parity.runNow();

        assertThat(report.passed()).isTrue();
        assertThat(report.cases()).extracting(CaseReport::model).containsExactly("seed-toy", "seed-toy", "seed-toy",
                "seed-toy", "masked-toy", "masked-toy", "masked-toy", "masked-toy", "masked-toy");
        assertThat(report.cases().subList(4, 8)).extracting(CaseReport::name).containsExactly("masked-toy/padded",
                "masked-toy/last-output-initial-state", "masked-toy/last-output", "masked-toy/inputs-skip-the-mask");
        assertThat(report.cases().get(8).name()).startsWith("engine vs float64 equations (E=3, H=4; ");
    }

    @Test
    void aModelWithoutSamplesIsServedWithAWarningAndCheckedByTheBuiltInSeedExample(CapturedOutput output)
            throws IOException {
        ObjectNode model = (ObjectNode) JSON.readTree(MASKED_TOY);
        model.remove("parity");
        Path file = write(model, "masked-toy-without-samples.json");

        ParityService parity = new ParityService(new LstmService(ModelLoader.load(file)), properties(1e-5, 1e-6));

        ParityReport report = parity.runNow();
        assertThat(report.passed()).isTrue();
        // The built-in seed example's four, and the served model's kernels against the float64 equations.
        assertThat(report.cases()).extracting(CaseReport::model).containsExactly("seed-toy", "seed-toy", "seed-toy",
                "seed-toy", "masked-toy");
        assertThat(report.cases().get(4).name()).startsWith("engine vs float64 equations (E=3, H=4; ");
        assertThat(output.getOut() + output.getErr())
                .contains("WARN", "Model 'masked-toy' carries no parity samples");
    }

    @Test
    void aModelWhoseSampleWasChangedIsRefusedNamingSampleTensorAndError() throws IOException {
        ObjectNode model = (ObjectNode) JSON.readTree(MASKED_TOY);
        changeBy(model.get("parity").get(0).get("expected").get("outputs").get(1).get(2), 3, 1e-3);
        Path file = write(model, "masked-toy-changed.json");

        ModelLoadException e = catchThrowableOfType(ModelLoadException.class,
                () -> new ParityService(new LstmService(ModelLoader.load(file)), properties(1e-5, 1e-6)));

        assertThat(e).isNotNull();
        assertThat(e.source()).isEqualTo(file.toString());
        assertThat(e).hasMessageStartingWith(file + ": fails its Keras parity check (rtol 1.0E-5, atol 1.0E-6)")
                .hasMessageContaining("sample 'masked-toy/padded' (model masked-toy)")
                .hasMessageContaining("tensor outputs max_abs_error ")
                .hasMessageContaining("element [1][2][3]")
                .hasMessageNotContaining("seed-toy/");
        assertThat(maxAbsError(e.getMessage())).isCloseTo(1e-3, within(1e-5));
    }

    @Test
    void aChangedStateOfTheSeedToyModelIsRefusedNamingTheTensor() throws IOException {
        ObjectNode model;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(ModelLoader.DEFAULT_MODEL)) {
            model = (ObjectNode) JSON.readTree(in);
        }
        // "seed-toy/return_state": h is correct, c is off by 1e-3 in row 2, unit 0.
        JsonNode sample = model.get("parity").get(2);
        assertThat(sample.get("name").asString()).isEqualTo("seed-toy/return_state");
        changeBy(sample.get("expected").get("c").get(2), 0, -1e-3);
        Path file = write(model, "seed-toy-changed.json");

        ModelLoadException e = catchThrowableOfType(ModelLoadException.class,
                () -> new ParityService(new LstmService(ModelLoader.load(file)), properties(1e-5, 1e-6)));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("sample 'seed-toy/return_state' (model seed-toy): tensor c max_abs_error ")
                .contains("element [2][0]")
                .doesNotContain("tensor h", "tensor outputs");
    }

    @Test
    void theConfiguredTolerancesDecide() throws IOException {
        ObjectNode model = (ObjectNode) JSON.readTree(MASKED_TOY);
        changeBy(model.get("parity").get(0).get("expected").get("h").get(0), 1, 1e-3);
        Path file = write(model, "masked-toy-changed.json");

        // An atol of 1e-2 lets the 1e-3 change pass: proof the properties, not constants, are used.
        ParityService lenient = new ParityService(new LstmService(ModelLoader.load(file)), properties(0, 1e-2));
        assertThat(lenient.runNow().passed()).isTrue();
        assertThat(lenient.runNow().atol()).isEqualTo(1e-2);
    }

    @Test
    void aSampleThatDoesNotFitTheModelIsRefused() throws IOException {
        ObjectNode model = (ObjectNode) JSON.readTree(MASKED_TOY);
        // masked-toy has 6 words; id 7 is outside its Embedding.
        ((ArrayNode) model.get("parity").get(0).get("tokens").get(0)).set(1, 7);
        Path file = write(model, "masked-toy-out-of-vocabulary.json");

        ModelLoadException e = catchThrowableOfType(ModelLoadException.class,
                () -> new ParityService(new LstmService(ModelLoader.load(file)), properties(1e-5, 1e-6)));

        assertThat(e).isNotNull();
        assertThat(e).hasMessageStartingWith(file + ": ")
                .hasMessageContaining("sample 'masked-toy/padded' (model masked-toy): the sample does not fit the"
                        + " model: tokens[0][1] = 7 is outside the vocabulary [0, 6)");
    }

    private static LstmProperties properties(double rtol, double atol) {
        return new LstmProperties(new LstmProperties.Model("", "", ""),
                new LstmProperties.Parity(rtol, atol, Duration.ofSeconds(60)), DataSize.ofMegabytes(16),
                new LstmProperties.Limits(1024, 4096, 262144, 4194304, 16777216, null, Duration.ofMillis(100),
                        Duration.ofSeconds(1)), "", LstmProperties.Batching.OFF);
    }

    private static void changeBy(JsonNode row, int index, double delta) {
        ((ArrayNode) row).set(index, row.get(index).doubleValue() + delta);
    }

    private Path write(JsonNode model, String name) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, JSON.writeValueAsString(model));
        return file;
    }

    private static double maxAbsError(String message) {
        Matcher m = Pattern.compile("max_abs_error ([0-9.Ee+-]+)").matcher(message);
        assertThat(m.find()).as("max_abs_error in %s", message).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
