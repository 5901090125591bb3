package dev.lstmserve.model.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.lstmserve.model.ModelLoadException;
import dev.lstmserve.model.ModelLoader;
import dev.lstmserve.model.keras.KerasFixtureFiles.Format;
import dev.lstmserve.model.keras.TfKerasH5TestWriter.LayerWeights;

/**
 * What the layer mappers refuse, through {@link ModelLoader} as the service loads a file: each a tf.keras 2.x full-model
 * {@code .h5} that the readers accept, with one layer the engine cannot serve as Keras would. The message names the
 * file, the layer's name and class, and the reason. (The readers' own refusals, e.g. an unbuilt model or a weights
 * count that differs from the config, are in {@link KerasRefusalTests}.)
 */
class KerasMapperRefusalTests {

    @TempDir
    Path dir;

    private static final String INPUT = """
            {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 5, 3], "dtype": "float32", "sparse": false, "ragged": false, "name": "input_1"}}""";

    private static String lstm(String name, int units, String extra) {
        return """
                {"class_name": "LSTM", "config": {"name": "%s", "trainable": true, "dtype": "float32", "return_sequences": false,
                 "return_state": false, "go_backwards": false, "stateful": false, "unroll": false, "time_major": false, "units": %d,
                 "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": true%s}}""".formatted(name, units, extra);
    }

    private static final String DENSE = """
            {"class_name": "Dense", "config": {"name": "dense", "trainable": true, "dtype": "float32", "units": 1, "activation": "sigmoid", "use_bias": true}}""";

    private static String sequential(String... layers) {
        return "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"sequential\", \"layers\": [" + INPUT + ", "
                + String.join(", ", layers) + "]}}";
    }

    private static float[][] matrix(int rows, int cols) {
        float[][] m = new float[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                m[r][c] = 0.01f * (r - c);
            }
        }
        return m;
    }

    private static LayerWeights layer(String name, Object... namesAndValues) {
        Map<String, Object> weights = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            weights.put(name + "/" + namesAndValues[i] + ":0", namesAndValues[i + 1]);
        }
        return new LayerWeights(name, weights);
    }

    private static LayerWeights lstmWeights(String name, int inputs, int units) {
        return layer(name, "lstm_cell/kernel", matrix(inputs, 4 * units), "lstm_cell/recurrent_kernel",
                matrix(units, 4 * units), "lstm_cell/bias", new float[4 * units]);
    }

    private static LayerWeights denseWeights(int inputs) {
        return layer("dense", "kernel", matrix(inputs, 1), "bias", new float[1]);
    }

    private Path model(String file, String config, LayerWeights... layers) {
        return TfKerasH5TestWriter.writeFullModel(dir.resolve(file), KerasFixtureFiles.TF_KERAS_VERSION, config,
                List.of(layers));
    }

    @Test
    void aWellFormedModelLoadsSoTheRefusalsBelowAreAboutTheirOneLayer() {
        Path file = model("good.h5", sequential(lstm("lstm", 2, ""), DENSE), lstmWeights("lstm", 3, 2), denseWeights(2));
        assertThat(ModelLoader.load(file).network().layers()).hasSize(2);
    }

    @Test
    void aGruIsRefusedNamingItAndGru() {
        String gru = lstm("gru", 2, ", \"reset_after\": true").replace("\"LSTM\"", "\"GRU\"");
        Path file = model("gru.h5", sequential(gru, DENSE), layer("gru", "gru_cell/kernel", matrix(3, 6),
                "gru_cell/recurrent_kernel", matrix(2, 6), "gru_cell/bias", matrix(2, 6)), denseWeights(2));
        assertThatThrownBy(() -> ModelLoader.load(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(file + ": layer 'gru' (GRU): GRU layers are not servable: lstm-serve runs LSTM layers only");
    }

    @Test
    void aConv1dIsRefusedNamingItAndListingWhatIsServable() {
        String conv = """
                {"class_name": "Conv1D", "config": {"name": "conv1d", "trainable": true, "dtype": "float32", "filters": 4,
                 "kernel_size": [2], "strides": [1], "padding": "same", "activation": "relu", "use_bias": true}}""";
        Path file = model("conv1d.h5", sequential(conv, lstm("lstm", 2, ""), DENSE),
                layer("conv1d", "kernel", new float[2][3][4], "bias", new float[4]), lstmWeights("lstm", 4, 2),
                denseWeights(2));
        assertThatThrownBy(() -> ModelLoader.load(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith(file + ": layer 'conv1d' (Conv1D): Conv1D layers are not servable. Servable:"
                        + " InputLayer, Embedding, Masking, LSTM, RNN(cell=LSTMCell), Bidirectional(LSTM)");
    }

    @Test
    void aCustomLayerIsRefusedNamingItsClass() {
        String custom = """
                {"class_name": "AttentionPooling", "config": {"name": "attention_pooling", "trainable": true, "dtype": "float32"}}""";
        Path file = model("custom.h5", sequential(lstm("lstm", 2, ", \"return_sequences\": true")
                        .replace("\"return_sequences\": false,", ""), custom, DENSE),
                lstmWeights("lstm", 3, 2), new LayerWeights("attention_pooling", Map.of()), denseWeights(2));
        assertThatThrownBy(() -> ModelLoader.load(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith(file + ": layer 'attention_pooling' (AttentionPooling): AttentionPooling layers"
                        + " are not servable.");
    }

    @Test
    void aCustomActivationIsRefusedNamingTheLayerAndTheField() {
        String dense = DENSE.replace("\"activation\": \"sigmoid\"",
                "\"activation\": {\"class_name\": \"gelu_approx\", \"config\": {}}");
        Path file = model("custom-activation.h5", sequential(lstm("lstm", 2, ""), dense), lstmWeights("lstm", 3, 2),
                denseWeights(2));
        assertThatThrownBy(() -> ModelLoader.load(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith(file + ": layer 'dense' (Dense): activation = ")
                .hasMessageContaining("gelu_approx")
                .hasMessageEndingWith("is a custom activation; only Keras' built-in activations by name are servable");

        Path unknown = model("unknown-activation.h5", sequential(lstm("lstm", 2, "")
                .replace("\"activation\": \"tanh\"", "\"activation\": \"my_tanh\""), DENSE), lstmWeights("lstm", 3, 2),
                denseWeights(2));
        assertThatThrownBy(() -> ModelLoader.load(unknown))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith(unknown + ": layer 'lstm' (LSTM): activation: activation 'my_tanh' is not"
                        + " supported");
    }

    @Test
    void unitsThatDisagreeWithTheKernelAreRefusedNamingBothShapes() {
        Path file = model("units.h5", sequential(lstm("lstm", 8, ""), DENSE), lstmWeights("lstm", 3, 6),
                denseWeights(8));
        assertThatThrownBy(() -> ModelLoader.load(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(file + ": layer 'lstm' (LSTM): weight 0 'lstm/lstm_cell/kernel:0' (kernel) has shape [3, 24];"
                        + " the config needs [3, 32]");
    }

    @Test
    void aBidirectionalLayerWithMergeModeNoneIsRefused() {
        String bidirectional = "{\"class_name\": \"Bidirectional\", \"config\": {\"name\": \"bidirectional\","
                + " \"trainable\": true, \"dtype\": \"float32\", \"layer\": " + lstm("lstm", 2, "")
                + ", \"merge_mode\": null}}";
        LayerWeights weights = layer("bidirectional", "forward_lstm/lstm_cell_1/kernel", matrix(3, 8),
                "forward_lstm/lstm_cell_1/recurrent_kernel", matrix(2, 8), "forward_lstm/lstm_cell_1/bias", new float[8],
                "backward_lstm/lstm_cell_2/kernel", matrix(3, 8), "backward_lstm/lstm_cell_2/recurrent_kernel",
                matrix(2, 8), "backward_lstm/lstm_cell_2/bias", new float[8]);
        Path file = model("merge-none.h5", sequential(bidirectional), weights);
        assertThatThrownBy(() -> ModelLoader.load(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(file + ": layer 'bidirectional' (Bidirectional): merge_mode None returns the two directions"
                        + " as two outputs; a servable model has one output");
    }

    @Test
    void aTimeDistributedLayerAroundAnythingButDenseIsRefused() {
        String wrapped = """
                {"class_name": "TimeDistributed", "config": {"name": "time_distributed", "trainable": true, "dtype": "float32",
                 "layer": {"class_name": "Conv1D", "config": {"name": "conv1d", "filters": 2, "kernel_size": [1]}}}}""";
        Path file = model("time-distributed.h5", sequential(wrapped, lstm("lstm", 2, ""), DENSE),
                layer("time_distributed", "kernel", new float[1][3][2], "bias", new float[2]),
                lstmWeights("lstm", 2, 2), denseWeights(2));
        assertThatThrownBy(() -> ModelLoader.load(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(file + ": layer 'time_distributed' (TimeDistributed): TimeDistributed is servable around a"
                        + " Dense layer only; it wraps Conv1D");
    }

    @Test
    void anLstmThatZeroesMaskedOutputsIsRefusedRatherThanServedWithOtherNumbers() {
        Path file = model("zero-output.h5", sequential(lstm("lstm", 2, ", \"zero_output_for_mask\": true"), DENSE),
                lstmWeights("lstm", 3, 2), denseWeights(2));
        assertThatThrownBy(() -> ModelLoader.load(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(file + ": layer 'lstm' (LSTM): zero_output_for_mask = true (masked steps output zeros, not"
                        + " the previous output) is not servable for a recurrent layer outside a Bidirectional wrapper");
    }

    @Test
    void aWeightsOnlyFileWithoutItsConfigIsRefusedNamingTheSetting() {
        KerasFixtureFiles.Written written = KerasFixtureFiles.write(KerasModelFixture.named("masking_lstm"),
                Format.TF_KERAS_WEIGHTS_AND_JSON, dir);
        assertThatThrownBy(() -> ModelLoader.load(written.model()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(written.model() + ": is a weights-only Keras file (no model_config attribute); set"
                        + " lstm.model.config-path to the model's JSON config (model.to_json())");
    }
}
