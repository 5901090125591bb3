package dev.lstmserve.config;

import java.nio.file.Path;

import dev.lstmserve.SeedToyJson;
import dev.lstmserve.SharedDir;
import dev.lstmserve.inference.ForwardQuery;
import dev.lstmserve.inference.LstmInference;
import dev.lstmserve.model.LstmModel;
import dev.lstmserve.model.ModelLoader;
import dev.lstmserve.parity.ParityCase;
import dev.lstmserve.parity.ParityChecker;
import dev.lstmserve.parity.ParityReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static dev.lstmserve.SeedToyJson.JSON;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --lstm.export}: any servable model written as lstm-serve JSON version 2 reads back into a model that gives the
 * same bits and carries the same parity samples; a Keras 2 model keeps Keras 2's rules (hard_sigmoid's form).
 */
class ModelExportTests {

    private static final LstmProperties.Parity TOLERANCES = new LstmProperties.Parity(1e-5, 1e-6, java.time.Duration.ofSeconds(60));

    @TempDir
    Path dir;

    @Test
    void theSeedToyModelExportsWithItsVocabularyAndSamples() {
        Path file = dir.resolve("seed-toy-v2.json");

        ModelExport.export(ModelLoader.loadDefault(), file, TOLERANCES);

        JsonNode written = JSON.readTree(file.toFile());
        assertThat(written.path("version").asInt()).isEqualTo(2);
        assertThat(written.path("layers").findValuesAsString("class_name")).containsExactly("Embedding", "LSTM");
        LstmModel reread = ModelLoader.load(file);
        assertThat(reread.vocabulary().words()).isEqualTo(ModelLoader.loadDefault().vocabulary().words());
        assertThat(reread.parity()).hasSize(4);
        // The samples carry the Keras oracle's numbers: the re-read model reproduces them.
        LstmInference inference = new LstmInference(reread);
        ParityReport report = ParityChecker.check(reread.parity().stream()
                .map(sample -> new ParityCase(sample, inference)).toList(), 1e-5, 1e-6);
        assertThat(report.passed()).as("%s", report).isTrue();
    }

    /** chen0040's sentiment model: Keras 2.1.2, hard_sigmoid (Keras 2's form), weights-only .h5 + JSON config. */
    @Test
    void aKeras2ModelKeepsItsRulesThroughTheExport() {
        Path realModels = SharedDir.path().resolve("keras-reference/real-models");
        SharedDir.assumePresent(realModels, "the export test of a real Keras 2 model");
        Path weights = realModels.resolve("chen0040_lstm_softmax_keras2.1.2_weights.h5");
        LstmModel original = ModelLoader.load(weights,
                realModels.resolve("chen0040_lstm_softmax_keras2.1.2_architecture.json"));
        Path file = dir.resolve("sentiment.json");

        ModelExport.export(original, file, TOLERANCES);

        LstmModel reread = ModelLoader.load(file);
        assertThat(reread.kerasVersion()).isEqualTo("2.1.2");
        assertThat(reread.lstm().recurrentActivation()).isEqualTo(original.lstm().recurrentActivation());
        JsonNode c = JSON.readTree(realModels.resolve("case_keras2.1.2_weights_json_sentiment.json").toFile());
        int[][] tokens = JSON.convertValue(c.get("tokens"), int[][].class);
        Object predict = new LstmInference(reread).predict(new ForwardQuery(tokens, null, null, null, null, null, null,
                null, null)).outputs();
        SeedToyJson.assertAllClose("predict", JSON.valueToTree(predict), c.get("expected_predict"));
    }
}
