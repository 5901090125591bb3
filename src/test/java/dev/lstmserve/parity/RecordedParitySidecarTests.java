package dev.lstmserve.parity;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.lstmserve.inference.LstmInference;
import dev.lstmserve.model.LstmModel;
import dev.lstmserve.model.LstmServeJsonWriter;
import dev.lstmserve.model.ModelLoader;
import dev.lstmserve.model.ParitySample;
import dev.lstmserve.model.keras.KerasFixtureFiles;
import dev.lstmserve.model.keras.KerasFixtureFiles.Format;
import dev.lstmserve.model.keras.KerasModelFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static dev.lstmserve.SeedToyJson.JSON;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Parity sidecars recorded without Keras by {@code tools/keras-oracle/record-parity.mjs} (tfjs computes
 * {@code model.predict}) travel with their model: beside the exported lstm-serve JSON they were recorded from, and beside
 * the Keras file that JSON was exported from. The files in {@code src/test/resources/recorded-parity/}: the oracle's
 * fixture models written as Keras 3 {@code .keras} archives ({@link KerasFixtureFiles}) and exported with
 * {@code --lstm.export} ({@code <name>.json}), the inputs chosen for them ({@code <name>.inputs.json}) and what the
 * tool recorded ({@code <name>.json.parity.json}); to record again, from {@code tools/keras-oracle}:
 * {@code node record-parity.mjs ../../src/test/resources/recorded-parity/<name>.json
 * ../../src/test/resources/recorded-parity/<name>.inputs.json}.
 */
class RecordedParitySidecarTests {

    private static final Path RECORDED = Path.of("src/test/resources/recorded-parity");

    @TempDir
    Path dir;

    /**
     * Embedding(mask_zero) -> Bidirectional(LSTM, return_sequences) -> LSTM -> Dense(softmax) under Keras 3's rules
     * (masked steps of the Bidirectional sequences are zeros), with a [B][H] and a [1][H] initial state for the first
     * recurrent layer (the Bidirectional layer's forward direction).
     */
    @Test
    void aRecordedSidecarPassesBesideTheExportedJsonItWasRecordedFrom() {
        LstmModel model = ModelLoader.load(RECORDED.resolve("stacked_bidirectional_lstm.json"));

        assertThat(model.parity()).extracting(ParitySample::name)
                .containsExactly("zero_states", "forward_state", "broadcast_forward_state");
        assertPasses(model);
    }

    @Test
    void theSameSidecarPassesBesideTheKerasFileTheJsonWasExportedFrom() throws IOException {
        Path keras = KerasFixtureFiles.write(KerasModelFixture.named("stacked_bidirectional_lstm"), Format.KERAS_V3, dir)
                .model();
        Files.copy(RECORDED.resolve("stacked_bidirectional_lstm.json.parity.json"), sidecarOf(keras));

        LstmModel model = ModelLoader.load(keras);

        assertThat(model.parity()).hasSize(3);
        assertPasses(model);
    }

    /** The committed JSON is the export of that archive: the sidecar was recorded from the very model served here. */
    @Test
    void theRecordedJsonIsTheExportOfTheFixtureArchive() throws IOException {
        for (String name : List.of("stacked_bidirectional_lstm", "hard_sigmoid_no_bias")) {
            Path keras = KerasFixtureFiles.write(KerasModelFixture.named(name), Format.KERAS_V3, dir.resolve(name)).model();
            Path exported = dir.resolve(name + ".json");
            try (OutputStream out = Files.newOutputStream(exported)) {
                LstmServeJsonWriter.write(ModelLoader.load(keras), out);
            }

            JsonNode committed = JSON.readTree(RECORDED.resolve(name + ".json").toFile());
            JsonNode written = JSON.readTree(exported.toFile());
            assertThat(committed.get("layers")).as(name).isEqualTo(written.get("layers"));
            assertThat(committed.get("keras_version")).as(name).isEqualTo(written.get("keras_version"));
        }
    }

    /**
     * A sidecar records numbers under the rules of the Keras version the model was exported from: recorded for a Keras
     * 3 archive (hard_sigmoid = clip(x/6 + 0.5, 0, 1), the oracle's 5/6 gate scaling), it passes there and fails beside
     * the same weights saved by tf.keras 2.x, whose hard_sigmoid is clip(0.2x + 0.5, 0, 1).
     */
    @Test
    void aSidecarRecordedUnderKeras3HardSigmoidFailsOnTheTfKerasFile() throws IOException {
        KerasModelFixture fixture = KerasModelFixture.named("hard_sigmoid_no_bias");
        Path sidecar = RECORDED.resolve("hard_sigmoid_no_bias.json.parity.json");
        Path keras3 = KerasFixtureFiles.write(fixture, Format.KERAS_V3, dir.resolve("keras3")).model();
        Path tfKeras = KerasFixtureFiles.write(fixture, Format.TF_KERAS_H5, dir.resolve("tf-keras")).model();
        Files.copy(sidecar, sidecarOf(keras3));
        Files.copy(sidecar, sidecarOf(tfKeras));

        assertPasses(ModelLoader.load(RECORDED.resolve("hard_sigmoid_no_bias.json")));
        assertPasses(ModelLoader.load(keras3));
        ParityReport tfKerasReport = check(ModelLoader.load(tfKeras));
        assertThat(tfKerasReport.cases()).hasSize(2).noneMatch(ParityReport.CaseReport::passed);
    }

    @Test
    void theSidecarSaysTfjsComputedItNotKeras() {
        for (String name : List.of("stacked_bidirectional_lstm", "hard_sigmoid_no_bias")) {
            JsonNode sidecar = JSON.readTree(RECORDED.resolve(name + ".json.parity.json").toFile());

            assertThat(sidecar.path("generated_by").asString())
                    .startsWith("tools/keras-oracle/record-parity.mjs with @tensorflow/tfjs 4.22.0")
                    .contains("computed by tfjs", "not by Keras itself");
        }
    }

    private static void assertPasses(LstmModel model) {
        ParityReport report = check(model);
        assertThat(report.cases()).isNotEmpty();
        assertThat(report.passed()).as("%s", report).isTrue();
    }

    private static ParityReport check(LstmModel model) {
        LstmInference inference = new LstmInference(model);
        return ParityChecker.check(model.parity().stream().map(sample -> new ParityCase(sample, inference)).toList(),
                1e-5, 1e-6);
    }

    private static Path sidecarOf(Path model) {
        return model.resolveSibling(model.getFileName() + ".parity.json");
    }
}
