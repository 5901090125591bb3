package dev.lstmserve.model.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.lstmserve.model.ModelLoadException;
import dev.lstmserve.model.keras.KerasArchiveTestWriter.Saved;

/**
 * Keras 3 {@code .keras} archives: the weight paths Keras 3 writes ({@code saving_lib.py}: class name in snake case
 * plus a per-class counter over {@code model.layers}, sub-objects by attribute name), written literally here so the
 * reader's path rule is checked against Keras' layout rather than against itself.
 */
class KerasArchiveReaderTests {

    @TempDir
    Path dir;

    private static final String POLICY = "{\"module\": \"keras\", \"class_name\": \"DTypePolicy\", \"config\": {\"name\": \"float32\"}, \"registered_name\": null}";

    private static String lstm(String name, int units, boolean sequences) {
        return "{\"module\": \"keras.layers\", \"class_name\": \"LSTM\", \"config\": {\"name\": \"" + name + "\", \"trainable\": true,"
                + " \"dtype\": " + POLICY + ", \"return_sequences\": " + sequences + ", \"return_state\": false, \"go_backwards\": false,"
                + " \"stateful\": false, \"unroll\": false, \"zero_output_for_mask\": " + sequences + ", \"units\": " + units + ","
                + " \"activation\": \"tanh\", \"recurrent_activation\": \"sigmoid\", \"use_bias\": true,"
                + " \"kernel_initializer\": {\"module\": \"keras.initializers\", \"class_name\": \"GlorotUniform\", \"config\": {\"seed\": null}, \"registered_name\": null},"
                + " \"unit_forget_bias\": true, \"dropout\": 0.0, \"recurrent_dropout\": 0.0, \"seed\": null}, \"registered_name\": null}";
    }

    private static String dense(String name, int units, String activation) {
        return "{\"module\": \"keras.layers\", \"class_name\": \"Dense\", \"config\": {\"name\": \"" + name + "\", \"trainable\": true,"
                + " \"dtype\": " + POLICY + ", \"units\": " + units + ", \"activation\": \"" + activation + "\", \"use_bias\": true},"
                + " \"registered_name\": null}";
    }

    /** Sequential: InputLayer, Embedding, LSTM, LSTM, Bidirectional(LSTM), TimeDistributed(Dense), Dropout, Dense. */
    private static final String SEQUENTIAL = "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"sequential\","
            + " \"trainable\": true, \"dtype\": " + POLICY + ", \"layers\": ["
            + "{\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 5], \"dtype\": \"int32\", \"sparse\": false, \"name\": \"input_layer\"}, \"registered_name\": null},"
            + "{\"module\": \"keras.layers\", \"class_name\": \"Embedding\", \"config\": {\"name\": \"embedding\", \"trainable\": true, \"dtype\": " + POLICY + ", \"input_dim\": 6, \"output_dim\": 3, \"mask_zero\": true}, \"registered_name\": null, \"build_config\": {\"input_shape\": [null, 5]}},"
            + lstm("lstm", 2, true) + "," + lstm("lstm_1", 2, true) + ","
            + "{\"module\": \"keras.layers\", \"class_name\": \"Bidirectional\", \"config\": {\"name\": \"bidirectional\", \"trainable\": true, \"dtype\": " + POLICY + ", \"merge_mode\": \"concat\","
            + " \"layer\": " + lstm("lstm_2", 2, true) + "}, \"registered_name\": null},"
            + "{\"module\": \"keras.layers\", \"class_name\": \"TimeDistributed\", \"config\": {\"name\": \"time_distributed\", \"trainable\": true, \"dtype\": " + POLICY + ","
            + " \"layer\": " + dense("dense", 3, "relu") + "}, \"registered_name\": null},"
            + "{\"module\": \"keras.layers\", \"class_name\": \"Dropout\", \"config\": {\"name\": \"dropout\", \"trainable\": true, \"dtype\": " + POLICY + ", \"rate\": 0.5, \"seed\": null, \"noise_shape\": null}, \"registered_name\": null},"
            + dense("dense_1", 4, "softmax")
            + "]}, \"registered_name\": null, \"build_config\": {\"input_shape\": [null, 5]}, \"compile_config\": null}";

    /** The variables of one saved object (a first parameter that is not varargs, so a 2-D array is not spread). */
    private static List<Object> vars(Object first, Object... rest) {
        List<Object> all = new ArrayList<>();
        all.add(first);
        all.addAll(List.of(rest));
        return all;
    }

    private static float[][] matrix(int rows, int cols, float start) {
        float[][] m = new float[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                m[r][c] = start + r * cols + c;
            }
        }
        return m;
    }

    private static float[] vector(int n, float start) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = start + i;
        }
        return v;
    }

    private static List<Object> lstmVars(int in, int units, float start) {
        return vars(matrix(in, 4 * units, start), matrix(units, 4 * units, start + 1000), vector(4 * units, start + 2000));
    }

    /** What Keras 3.6+ writes for {@link #SEQUENTIAL}: no InputLayer (Sequential.layers omits it). */
    private static List<Saved> sequentialLayout() {
        List<Saved> saved = new ArrayList<>();
        saved.add(new Saved("", "sequential", List.of()));
        saved.add(new Saved("layers/embedding", "embedding", vars(matrix(6, 3, 0.5f))));
        saved.add(new Saved("layers/lstm", "lstm", List.of()));
        saved.add(new Saved("layers/lstm/cell", "lstm_cell", lstmVars(3, 2, 10)));
        saved.add(new Saved("layers/lstm_1", "lstm_1", List.of()));
        saved.add(new Saved("layers/lstm_1/cell", "lstm_cell", lstmVars(2, 2, 20)));
        saved.add(new Saved("layers/bidirectional", "bidirectional", List.of()));
        saved.add(new Saved("layers/bidirectional/forward_layer", "forward_lstm_2", List.of()));
        saved.add(new Saved("layers/bidirectional/forward_layer/cell", "lstm_cell", lstmVars(2, 2, 30)));
        saved.add(new Saved("layers/bidirectional/backward_layer", "backward_lstm_2", List.of()));
        saved.add(new Saved("layers/bidirectional/backward_layer/cell", "lstm_cell", lstmVars(2, 2, 40)));
        saved.add(new Saved("layers/time_distributed", "time_distributed", List.of()));
        saved.add(new Saved("layers/time_distributed/layer", "dense", vars(matrix(4, 3, 50), vector(3, 60))));
        saved.add(new Saved("layers/dropout", "dropout", List.of()));
        saved.add(new Saved("layers/dense", "dense_1", vars(matrix(3, 4, 70), vector(4, 80))));
        saved.add(new Saved("optimizer", "adam", vars(new float[] {7})));
        return saved;
    }

    @Test
    void sequentialArchiveWeightsAreFoundByClassAndCounterNotByLayerName() {
        Path file = KerasArchiveTestWriter.write(dir.resolve("model.keras"), "3.6.0", SEQUENTIAL, sequentialLayout());
        KerasModelSpec model = KerasModelReader.read(file);

        assertThat(model.format()).isEqualTo(KerasModelSpec.KERAS_V3);
        assertThat(model.kerasVersion()).isEqualTo("3.6.0");
        assertThat(model.backend()).isNull();
        assertThat(model.modelClass()).isEqualTo("Sequential");
        assertThat(model.inputShape()).containsExactly(5);
        assertThat(model.layers()).extracting(KerasLayerSpec::className).containsExactly("InputLayer", "Embedding",
                "LSTM", "LSTM", "Bidirectional", "TimeDistributed", "Dropout", "Dense");
        KerasLayerSpec lstm1 = model.layers().get(3);
        assertThat(lstm1.weights()).extracting(KerasWeight::name).containsExactly("layers/lstm_1/cell/vars/0",
                "layers/lstm_1/cell/vars/1", "layers/lstm_1/cell/vars/2");
        assertThat(lstm1.weights().get(0).get(0, 0)).isEqualTo(20f);
        KerasLayerSpec bidirectional = model.layers().get(4);
        // Keras' layer.weights: the forward layer's, then the backward layer's.
        assertThat(bidirectional.weights()).extracting(KerasWeight::name).containsExactly(
                "layers/bidirectional/forward_layer/cell/vars/0", "layers/bidirectional/forward_layer/cell/vars/1",
                "layers/bidirectional/forward_layer/cell/vars/2", "layers/bidirectional/backward_layer/cell/vars/0",
                "layers/bidirectional/backward_layer/cell/vars/1", "layers/bidirectional/backward_layer/cell/vars/2");
        assertThat(bidirectional.weights().get(3).get(0, 0)).isEqualTo(40f);
        assertThat(model.layers().get(5).weights()).extracting(KerasWeight::name)
                .containsExactly("layers/time_distributed/layer/vars/0", "layers/time_distributed/layer/vars/1");
        KerasLayerSpec head = model.layers().get(7);
        assertThat(head.name()).isEqualTo("dense_1");
        assertThat(head.weights()).extracting(KerasWeight::name).containsExactly("layers/dense/vars/0", "layers/dense/vars/1");
        assertThat(head.weights().get(1).data()).containsExactly(80f, 81f, 82f, 83f);
        assertThat(model.layers().get(6).weights()).isEmpty();
        assertThat(model.layers().get(1).option("dtype").path("class_name").asString()).isEqualTo("DTypePolicy");
    }

    @Test
    void archivesFromBeforeKerasThreeSixWithoutNameAttributesReadTheSame() {
        List<Saved> unnamed = sequentialLayout().stream().map(s -> new Saved(s.path(), null, s.vars())).toList();
        KerasModelSpec named = KerasModelReader.read(KerasArchiveTestWriter.write(dir.resolve("a.keras"), "3.6.0", SEQUENTIAL, sequentialLayout()));
        KerasModelSpec old = KerasModelReader.read(KerasArchiveTestWriter.write(dir.resolve("b.keras"), "3.3.3", SEQUENTIAL, unnamed));
        for (int i = 0; i < named.layers().size(); i++) {
            assertThat(old.layers().get(i).weights()).isEqualTo(named.layers().get(i).weights());
        }
    }

    @Test
    void aGroupWhoseNameAttributeIsAnotherLayersIsRefused() {
        List<Saved> swapped = sequentialLayout().stream()
                .map(s -> s.path().equals("layers/lstm_1") ? new Saved(s.path(), "lstm", s.vars()) : s).toList();
        Path file = KerasArchiveTestWriter.write(dir.resolve("swapped.keras"), "3.10.0", SEQUENTIAL, swapped);
        assertThatThrownBy(() -> KerasModelReader.read(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(file + ": layer 'lstm_1' (LSTM): its weights should be at layers/lstm_1, but that group"
                        + " belongs to layer 'lstm'");
    }

    @Test
    void anUnbuiltModelsArchiveIsRefused() {
        List<Saved> empty = sequentialLayout().stream().map(s -> new Saved(s.path(), s.name(), List.of())).toList();
        Path file = KerasArchiveTestWriter.write(dir.resolve("unbuilt.keras"), "3.6.0", SEQUENTIAL, empty);
        assertThatThrownBy(() -> KerasModelReader.read(file))
                .hasMessage(file + ": layer 'embedding' (Embedding) has 0 weight arrays in the file; its config needs 1"
                        + " (was the model saved before it was built?)");
    }

    private static final String FUNCTIONAL = "{\"module\": \"keras.src.models.functional\", \"class_name\": \"Functional\", \"config\": {\"name\": \"functional\", \"trainable\": true, \"layers\": ["
            + "{\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 4, 3], \"dtype\": \"float32\", \"sparse\": false, \"name\": \"input_layer\"}, \"registered_name\": null, \"name\": \"input_layer\", \"inbound_nodes\": []},"
            + "{\"module\": \"keras.layers\", \"class_name\": \"Masking\", \"config\": {\"name\": \"masking\", \"trainable\": true, \"dtype\": " + POLICY + ", \"mask_value\": 0.0}, \"registered_name\": null, \"build_config\": {\"input_shape\": [null, 4, 3]}, \"name\": \"masking\","
            + " \"inbound_nodes\": [{\"args\": [{\"class_name\": \"__keras_tensor__\", \"config\": {\"shape\": [null, 4, 3], \"dtype\": \"float32\", \"keras_history\": [\"input_layer\", 0, 0]}}], \"kwargs\": {}}]},"
            + lstm("encoder", 2, false).replaceFirst("}$", ", \"name\": \"encoder\", \"inbound_nodes\": [{\"args\": [{\"class_name\": \"__keras_tensor__\", \"config\": {\"shape\": [null, 4, 3], \"dtype\": \"float32\", \"keras_history\": [\"masking\", 0, 0]}}],"
                    + " \"kwargs\": {\"training\": false, \"mask\": {\"class_name\": \"__keras_tensor__\", \"config\": {\"shape\": [null, 4], \"dtype\": \"bool\", \"keras_history\": [\"any\", 0, 0]}}}}]}") + ","
            + dense("head", 1, "sigmoid").replaceFirst("}$", ", \"name\": \"head\", \"inbound_nodes\": [{\"args\": [{\"class_name\": \"__keras_tensor__\", \"config\": {\"shape\": [null, 2], \"dtype\": \"float32\", \"keras_history\": [\"encoder\", 0, 0]}}], \"kwargs\": {}}]}")
            + "], \"input_layers\": [[\"input_layer\", 0, 0]], \"output_layers\": [[\"head\", 0, 0]]}, \"registered_name\": \"Functional\", \"build_config\": {\"input_shape\": null}, \"compile_config\": null}";

    @Test
    void functionalArchiveCountsItsInputLayerAndIgnoresAnImplicitMaskArgument() {
        List<Saved> saved = List.of(
                new Saved("", "functional", List.of()),
                new Saved("layers/input_layer", "input_layer", List.of()),
                new Saved("layers/masking", "masking", List.of()),
                new Saved("layers/lstm", "encoder", List.of()),
                new Saved("layers/lstm/cell", "lstm_cell", lstmVars(3, 2, 1)),
                new Saved("layers/dense", "head", vars(matrix(2, 1, 5), vector(1, 9))));
        Path file = KerasArchiveTestWriter.write(dir.resolve("functional.keras"), "3.11.3", FUNCTIONAL, saved);
        KerasModelSpec model = KerasModelReader.read(file);

        assertThat(model.modelClass()).isEqualTo("Functional");
        assertThat(model.inputShape()).containsExactly(4, 3);
        assertThat(model.layers()).extracting(KerasLayerSpec::name).containsExactly("input_layer", "masking", "encoder", "head");
        assertThat(model.layers().get(2).weights().get(2).get(7)).isEqualTo(2008f);
        assertThat(model.layers().get(3).weights().get(0).get(1, 0)).isEqualTo(6f);
    }

    @Test
    void kerasTwoThirteenArchivesUseLayerCheckpointDependenciesAsKerasThreesLoaderAccepts() {
        List<Saved> saved = sequentialLayout().stream()
                .map(s -> new Saved(s.path().replaceFirst("^layers", "_layer_checkpoint_dependencies"), null, s.vars())).toList();
        KerasModelSpec model = KerasModelReader.read(KerasArchiveTestWriter.write(dir.resolve("k213.keras"), "2.13.1", SEQUENTIAL, saved));
        assertThat(model.kerasVersion()).isEqualTo("2.13.1");
        assertThat(model.layers().get(2).weights().get(0).name()).isEqualTo("_layer_checkpoint_dependencies/lstm/cell/vars/0");
    }

    @Test
    void snakeCaseFollowsKerasNaming() {
        assertThat(List.of("LSTM", "LSTMCell", "GRU", "TimeDistributed", "Bidirectional", "SpatialDropout1D", "Conv1D",
                "InputLayer", "GaussianNoise", "RNN", "Dense").stream().map(KerasArchiveReader::toSnakeCase))
                .containsExactly("lstm", "lstm_cell", "gru", "time_distributed", "bidirectional", "spatial_dropout1d",
                        "conv1d", "input_layer", "gaussian_noise", "rnn", "dense");
    }
}
