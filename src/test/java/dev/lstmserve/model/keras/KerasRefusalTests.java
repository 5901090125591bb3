package dev.lstmserve.model.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.lstmserve.model.ModelLoadException;
import io.jhdf.HdfFile;
import io.jhdf.api.Group;
import io.jhdf.api.WritableGroup;

/**
 * Every refusal of the Keras readers, each on a small file the test writes: the message names the file, the layer
 * (name and class) where there is one, and the reason; never a bare stack trace.
 */
class KerasRefusalTests {

    @TempDir
    Path dir;

    private static final String LSTM_DENSE = """
            {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
              {"class_name": "LSTM", "config": {"name": "lstm", "units": 2, "use_bias": true, "batch_input_shape": [null, 3, 1]}},
              {"class_name": "Dense", "config": {"name": "dense", "units": 1, "use_bias": true}}]}}""";

    /** A Keras 2-style full-model .h5: model_config, model_weights/layer_names, per layer weight_names. */
    private Path fullModel(String name, String modelConfig, Map<String, Map<String, Object>> weights) {
        Path file = dir.resolve(name);
        Hdf5TestFiles.write(file, root -> {
            root.putAttribute("keras_version", "2.15.0");
            root.putAttribute("backend", "tensorflow");
            root.putAttribute("model_config", modelConfig);
            WritableGroup group = root.putGroup("model_weights");
            group.putAttribute("layer_names", weights.keySet().toArray(String[]::new));
            layerGroups(group, weights);
        });
        return file;
    }

    private static void layerGroups(WritableGroup group, Map<String, Map<String, Object>> weights) {
        weights.forEach((layer, arrays) -> {
            WritableGroup layerGroup = group.putGroup(layer);
            if (!arrays.isEmpty()) {
                layerGroup.putAttribute("weight_names", arrays.keySet().toArray(String[]::new));
            }
            arrays.forEach((weightName, data) -> {
                String[] parts = weightName.split("/");
                WritableGroup g = layerGroup;
                for (int i = 0; i < parts.length - 1; i++) {
                    g = g.getChild(parts[i]) instanceof WritableGroup existing ? existing : g.putGroup(parts[i]);
                }
                g.putDataset(parts[parts.length - 1], data);
            });
        });
    }

    private static Map<String, Object> lstmWeights(String layer) {
        Map<String, Object> w = new LinkedHashMap<>();
        w.put(layer + "/kernel:0", new float[][] {{1, 2, 3, 4, 5, 6, 7, 8}});
        w.put(layer + "/recurrent_kernel:0", new float[2][8]);
        w.put(layer + "/bias:0", new float[8]);
        return w;
    }

    private static Map<String, Object> denseWeights(String layer) {
        Map<String, Object> w = new LinkedHashMap<>();
        w.put(layer + "/kernel:0", new float[][] {{0.5f}, {-0.5f}});
        w.put(layer + "/bias:0", new float[] {0.25f});
        return w;
    }

    private Path goodModel() {
        return fullModel("good.h5", LSTM_DENSE, Map.of("lstm", lstmWeights("lstm"), "dense", denseWeights("dense")));
    }

    private static Map<String, Map<String, Object>> ordered(Object... pairs) {
        Map<String, Map<String, Object>> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            @SuppressWarnings("unchecked")
            Map<String, Object> w = (Map<String, Object>) pairs[i + 1];
            map.put((String) pairs[i], w);
        }
        return map;
    }

    @Test
    void aWellFormedSmallModelIsReadSoTheRefusalsBelowAreAboutTheirOneDefect() {
        KerasModelSpec model = KerasModelReader.read(fullModel("good.h5", LSTM_DENSE,
                ordered("lstm", lstmWeights("lstm"), "dense", denseWeights("dense"))));
        assertThat(model.layers()).extracting(KerasLayerSpec::name).containsExactly("lstm", "dense");
        assertThat(model.layers().get(0).weights().get(0).get(0, 7)).isEqualTo(8f);
        assertThat(model.inputShape()).containsExactly(3, 1);
    }

    private static final String TWO_INPUTS = """
            {"class_name": "Functional", "config": {"name": "m", "layers": [
              {"class_name": "InputLayer", "name": "tokens", "config": {"name": "tokens", "batch_input_shape": [null, 3, 1]}, "inbound_nodes": []},
              {"class_name": "InputLayer", "name": "state_h", "config": {"name": "state_h", "batch_input_shape": [null, 2]}, "inbound_nodes": []},
              {"class_name": "LSTM", "name": "lstm", "config": {"name": "lstm", "units": 2}, "inbound_nodes": [[["tokens", 0, 0, {}], ["state_h", 0, 0, {}]]]}],
              "input_layers": [["tokens", 0, 0], ["state_h", 0, 0]], "output_layers": [["lstm", 0, 0]]}}""";

    @Test
    void severalInputsAreRefusedNamingThem() {
        Path file = fullModel("two-inputs.h5", TWO_INPUTS, ordered("lstm", lstmWeights("lstm")));
        assertThatThrownBy(() -> KerasModelReader.read(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(file + ": the model has 2 inputs [tokens, state_h] and 1 output [lstm]; only a single chain"
                        + " with one input and one output is servable");
    }

    @Test
    void anInitialStateFedFromAnotherLayerIsRefused() {
        String config = """
                {"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "m", "layers": [
                  {"module": "keras.layers", "class_name": "InputLayer", "name": "x", "config": {"name": "x", "batch_shape": [null, 3, 1]}, "inbound_nodes": []},
                  {"module": "keras.layers", "class_name": "Dense", "name": "h0", "config": {"name": "h0", "units": 2}, "inbound_nodes": [
                    {"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 3, 1], "dtype": "float32", "keras_history": ["x", 0, 0]}}], "kwargs": {}}]},
                  {"module": "keras.layers", "class_name": "LSTM", "name": "lstm", "config": {"name": "lstm", "units": 2}, "inbound_nodes": [
                    {"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 3, 1], "dtype": "float32", "keras_history": ["h0", 0, 0]}}],
                     "kwargs": {"initial_state": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 2], "dtype": "float32", "keras_history": ["x", 0, 0]}}]}}]}],
                  "input_layers": [["x", 0, 0]], "output_layers": [["lstm", 0, 0]]}}""";
        Path file = fullModel("initial-state.h5", config, ordered("h0", denseWeights("h0"), "lstm", lstmWeights("lstm")));
        assertThatThrownBy(() -> KerasModelReader.read(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("layer 'lstm' (LSTM) takes tensors from other layers as arguments (initial_state=x");
    }

    @Test
    void aBranchIsRefusedNamingTheLayerThatFeedsTwo() {
        String config = """
                {"class_name": "Model", "config": {"name": "m", "layers": [
                  {"class_name": "InputLayer", "name": "x", "config": {"name": "x", "batch_input_shape": [null, 3, 1]}, "inbound_nodes": []},
                  {"class_name": "LSTM", "name": "a", "config": {"name": "a", "units": 2}, "inbound_nodes": [[["x", 0, 0, {}]]]},
                  {"class_name": "LSTM", "name": "b", "config": {"name": "b", "units": 2}, "inbound_nodes": [[["x", 0, 0, {}]]]}],
                  "input_layers": [["x", 0, 0]], "output_layers": [["b", 0, 0]]}}""";
        Path file = fullModel("branch.h5", config, ordered("a", lstmWeights("a"), "b", lstmWeights("b")));
        assertThatThrownBy(() -> KerasModelReader.read(file))
                .hasMessage(file + ": the model branches: layer 'x' (InputLayer) feeds [a, b]; only a single chain is servable");
    }

    @Test
    void aLayerUsedTwiceIsRefused() {
        String config = """
                {"class_name": "Model", "config": {"name": "m", "layers": [
                  {"class_name": "InputLayer", "name": "x", "config": {"name": "x", "batch_input_shape": [null, 2]}, "inbound_nodes": []},
                  {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 2}, "inbound_nodes": [[["x", 0, 0, {}]], [["d", 0, 0, {}]]]}],
                  "input_layers": [["x", 0, 0]], "output_layers": [["d", 1, 0]]}}""";
        Path file = fullModel("shared.h5", config, ordered("d", denseWeights("d")));
        assertThatThrownBy(() -> KerasModelReader.read(file))
                .hasMessage(file + ": layer 'd' (Dense) is called 2 times (shared layer); only a single chain is servable");
    }

    @Test
    void aNestedModelIsRefusedNamingIt() {
        String config = """
                {"class_name": "Sequential", "config": {"name": "outer", "layers": [
                  {"class_name": "Sequential", "config": {"name": "encoder", "layers": []}},
                  {"class_name": "Dense", "config": {"name": "dense", "units": 1}}]}}""";
        Path file = fullModel("nested.h5", config, ordered("dense", denseWeights("dense")));
        assertThatThrownBy(() -> KerasModelReader.read(file))
                .hasMessage(file + ": layer 'encoder' (Sequential) is a nested model; only a flat chain of layers is servable");
    }

    @Test
    void aModelSavedBeforeItWasBuiltIsRefused() {
        Path file = fullModel("unbuilt.h5", LSTM_DENSE, ordered("lstm", Map.of(), "dense", Map.of()));
        assertThatThrownBy(() -> KerasModelReader.read(file))
                .hasMessage(file + ": layer 'lstm' (LSTM) has 0 weight arrays in the file; its config needs 3 (was the"
                        + " model saved before it was built?)");
    }

    @Test
    void aModelWhoseLayersAllLackWeightsIsRefusedAsUnbuilt() {
        String config = """
                {"class_name": "Sequential", "config": {"name": "s", "layers": [
                  {"class_name": "Masking", "config": {"name": "masking", "batch_input_shape": [null, 3, 1]}}]}}""";
        Path file = fullModel("no-weights.h5", config, ordered("masking", Map.of()));
        assertThatThrownBy(() -> KerasModelReader.read(file))
                .hasMessage(file + ": has no weights: the model was saved before it was built");
    }

    @Test
    void aConfigLayerMissingFromTheWeightsIsRefusedNamingBoth() throws IOException {
        Path weights = dir.resolve("weights.h5");
        Hdf5TestFiles.write(weights, root -> {
            root.putAttribute("keras_version", "2.15.0");
            root.putAttribute("layer_names", new String[] {"lstm_7", "dense"});
            layerGroups(root, ordered("lstm_7", lstmWeights("lstm_7"), "dense", denseWeights("dense")));
        });
        Path config = Files.writeString(dir.resolve("model.json"), LSTM_DENSE);
        assertThatThrownBy(() -> KerasModelReader.read(weights, config))
                .hasMessage(weights + ": layer 'lstm' (LSTM) of the config is not in the weights file, whose layers are"
                        + " [lstm_7, dense]");
    }

    @Test
    void aWeightCountThatDiffersFromTheConfigIsRefused() {
        Map<String, Object> twoOfThree = new LinkedHashMap<>(lstmWeights("lstm"));
        twoOfThree.remove("lstm/bias:0");
        Path file = fullModel("count.h5", LSTM_DENSE, ordered("lstm", twoOfThree, "dense", denseWeights("dense")));
        assertThatThrownBy(() -> KerasModelReader.read(file))
                .hasMessage(file + ": layer 'lstm' (LSTM) has 2 weight arrays in the file; its config needs 3");
    }

    @Test
    void aWeightListedButAbsentIsRefusedNamingIt() {
        Path file = dir.resolve("missing-dataset.h5");
        Hdf5TestFiles.write(file, root -> {
            root.putAttribute("keras_version", "2.15.0");
            root.putAttribute("model_config", LSTM_DENSE);
            WritableGroup group = root.putGroup("model_weights");
            group.putAttribute("layer_names", new String[] {"lstm", "dense"});
            layerGroups(group, ordered("dense", denseWeights("dense")));
            WritableGroup lstm = group.putGroup("lstm");
            lstm.putAttribute("weight_names", new String[] {"lstm/kernel:0", "lstm/recurrent_kernel:0", "lstm/bias:0"});
            lstm.putGroup("lstm").putDataset("kernel:0", new float[1][8]);
        });
        assertThatThrownBy(() -> KerasModelReader.read(file))
                .hasMessage(file + ": layer 'lstm' (LSTM): weight 'lstm/recurrent_kernel:0' is missing from the file");
    }

    @Test
    void aNonFloatDatasetIsRefusedNamingItsDtype() {
        Map<String, Object> ints = new LinkedHashMap<>(lstmWeights("lstm"));
        ints.put("lstm/bias:0", new int[8]);
        Path file = fullModel("int-bias.h5", LSTM_DENSE, ordered("lstm", ints, "dense", denseWeights("dense")));
        assertThatThrownBy(() -> KerasModelReader.read(file))
                .hasMessage(file + ": layer 'lstm' (LSTM): weight 'lstm/bias:0' has dtype int32; only float32 and float64"
                        + " weights can be served");
    }

    @Test
    void float64WeightsAreRoundedToFloat32() {
        Map<String, Object> doubles = new LinkedHashMap<>(lstmWeights("lstm"));
        doubles.put("lstm/bias:0", new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 1.0 / 3});
        KerasModelSpec model = KerasModelReader.read(fullModel("f64.h5", LSTM_DENSE,
                ordered("lstm", doubles, "dense", denseWeights("dense"))));
        assertThat(model.layers().get(0).weights().get(2).data()).containsExactly(0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f,
                0.7f, (float) (1.0 / 3));
    }

    @Test
    void aDatasetDeclaringMoreThanTheFileHoldsIsRefusedBeforeReading() {
        Path file = goodModel();
        try (HdfFile hdf = new HdfFile(file)) {
            Group lstm = (Group) hdf.getByPath("model_weights/lstm");
            // 32 bytes of kernel against a file said to be 16 bytes long: the bound, not the allocation, must speak.
            Hdf5Reading small = new Hdf5Reading(file.toString(), 16);
            assertThatThrownBy(() -> small.weight(lstm, "lstm/kernel:0", "lstm/kernel:0", "'lstm' (LSTM)"))
                    .hasMessage(file + ": layer 'lstm' (LSTM): weight 'lstm/kernel:0' declares shape [1, 8] (32 bytes),"
                            + " more than the file (16 bytes) can hold: corrupt or hostile file");
        }
    }

    @Test
    void aTruncatedFileIsRefusedInWords() throws IOException {
        Path good = goodModel();
        byte[] bytes = Files.readAllBytes(good);
        for (int length : new int[] {8, 64, bytes.length / 2, bytes.length - 40}) {
            Path cut = Files.write(dir.resolve("cut-" + length + ".h5"), Arrays.copyOf(bytes, length));
            assertThatThrownBy(() -> KerasModelReader.read(cut))
                    .as("truncated to %d bytes", length)
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageStartingWith(cut + ": ");
        }
    }

    @Test
    void aCorruptFileIsRefusedInWords() throws IOException {
        byte[] bytes = Files.readAllBytes(goodModel());
        for (int at = 100; at < bytes.length; at += 97) {
            bytes[at] ^= (byte) 0x5A;
        }
        Path corrupt = Files.write(dir.resolve("corrupt.h5"), bytes);
        assertThatThrownBy(() -> KerasModelReader.read(corrupt))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith(corrupt + ": ");
    }

    @Test
    void wrongKindsOfFileAreRefusedSayingWhatTheyAre() throws IOException {
        Path text = Files.writeString(dir.resolve("model.h5"), "not a model\n");
        assertThatThrownBy(() -> KerasModelReader.read(text))
                .hasMessage(text + ": is neither a Keras .keras archive (zip) nor an HDF5 .h5 file");
        Path json = Files.writeString(dir.resolve("model.json"), LSTM_DENSE);
        assertThatThrownBy(() -> KerasModelReader.read(json))
                .hasMessageContaining("is a JSON file, not a Keras model file");
        Path zip = zip("photos.keras", Map.of("photo.jpg", new byte[] {1, 2, 3}), ZipEntry.STORED);
        assertThatThrownBy(() -> KerasModelReader.read(zip))
                .hasMessage(zip + ": is a zip archive without config.json: not a Keras 3 .keras file");
        Path notZip = Files.write(dir.resolve("broken.keras"), new byte[] {'P', 'K', 3, 4, 0, 0, 0});
        assertThatThrownBy(() -> KerasModelReader.read(notZip))
                .hasMessageStartingWith(notZip + ": is not a readable zip (.keras) archive");
        Path noWeights = zip("config-only.keras", Map.of("config.json", LSTM_DENSE.getBytes(StandardCharsets.UTF_8)),
                ZipEntry.STORED);
        assertThatThrownBy(() -> KerasModelReader.read(noWeights))
                .hasMessage(noWeights + ": has no model.weights.h5: the archive holds no weights");
    }

    @Test
    void aKerasArchiveWhoseWeightsExpandFarBeyondItsSizeIsRefusedAsAZipBomb() throws IOException {
        Path bomb = zip("bomb.keras", Map.of("config.json", LSTM_DENSE.getBytes(StandardCharsets.UTF_8),
                "model.weights.h5", new byte[8 << 20]), ZipEntry.DEFLATED);
        assertThat(Files.size(bomb)).isLessThan(64 << 10);
        assertThatThrownBy(() -> KerasModelReader.read(bomb))
                .hasMessageStartingWith(bomb + ": model.weights.h5 expands to more than")
                .hasMessageContaining("zip bomb");
    }

    private Path zip(String name, Map<String, byte[]> entries, int method) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setMethod(method);
                if (method == ZipEntry.STORED) {
                    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                    crc.update(e.getValue());
                    entry.setSize(e.getValue().length);
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return file;
    }

    @Test
    void kerasVersionAndBackendAreReportedExactlyAsWritten() {
        KerasModelSpec model = KerasModelReader.read(goodModel());
        assertThat(model.kerasVersion()).isEqualTo("2.15.0");
        assertThat(model.backend()).isEqualTo("tensorflow");
        assertThat(List.of(model.format(), model.modelClass())).containsExactly("keras-h5", "Sequential");
    }
}
