package dev.lstmserve.model.keras;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.lstmserve.model.keras.KerasArchiveTestWriter.Saved;
import dev.lstmserve.model.keras.KerasModelFixture.Layer;
import dev.lstmserve.model.keras.KerasModelFixture.Weight;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A {@link KerasModelFixture} written as the files people bring: a Keras 3 {@code .keras} archive, a tf.keras 2.x
 * full-model {@code .h5}, and a tf.keras 2.x weights-only {@code .h5} with its {@code model.to_json()} config.
 */
public final class KerasFixtureFiles {

    /** What writes the tf.keras 2.x files (and so whose rules the fixture's {@code samples} follow). */
    public static final String TF_KERAS_VERSION = "2.15.0";
    /** What writes the archives ({@code samples_keras3} where Keras 3's rules differ). */
    public static final String KERAS_3_VERSION = "3.6.0";

    public enum Format {
        /** Keras 3 {@code model.save("m.keras")}. */
        KERAS_V3,
        /** tf.keras 2.x {@code model.save("m.h5")}. */
        TF_KERAS_H5,
        /** tf.keras 2.x {@code model.save_weights("w.h5")} and {@code model.to_json()}. */
        TF_KERAS_WEIGHTS_AND_JSON;

        public boolean keras3() {
            return this == KERAS_V3;
        }
    }

    /** The files written: the model file ({@code lstm.model.path}) and, for weights only, its config. */
    public record Written(Path model, Path config) {
    }

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private KerasFixtureFiles() {
    }

    public static Written write(KerasModelFixture fixture, Format format, Path dir) {
        try {
            Files.createDirectories(dir);
            return switch (format) {
                case KERAS_V3 -> new Written(KerasArchiveTestWriter.write(dir.resolve(fixture.name() + ".keras"),
                        KERAS_3_VERSION, KerasModelFixture.JSON.writeValueAsString(keras3Config(fixture)),
                        keras3Weights(fixture)), null);
                case TF_KERAS_H5 -> new Written(TfKerasH5TestWriter.writeFullModel(dir.resolve(fixture.name() + ".h5"),
                        TF_KERAS_VERSION, KerasModelFixture.JSON.writeValueAsString(modelConfigAttribute(fixture)),
                        tfKerasWeights(fixture)), null);
                case TF_KERAS_WEIGHTS_AND_JSON -> {
                    Path config = Files.writeString(dir.resolve(fixture.name() + ".json"),
                            KerasModelFixture.JSON.writeValueAsString(fixture.modelConfig()));
                    yield new Written(TfKerasH5TestWriter.writeWeights(dir.resolve(fixture.name() + ".weights.h5"),
                            TF_KERAS_VERSION, tfKerasWeights(fixture)), config);
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code save_model_to_hdf5} writes {@code {"class_name", "config"}}; the version goes in its own attribute. */
    private static JsonNode modelConfigAttribute(KerasModelFixture fixture) {
        ObjectNode config = NODES.objectNode();
        config.set("class_name", fixture.modelConfig().get("class_name"));
        config.set("config", fixture.modelConfig().get("config"));
        return config;
    }

    // ---------------------------------------------------------------------------------------------
    // tf.keras 2.x weight names
    // ---------------------------------------------------------------------------------------------

    /**
     * The layer groups tf.keras 2.x (TF 2.3 to 2.15) writes: variables are named by the layer's name scope and, for
     * an LSTM, its cell's name ({@code lstm_cell}, {@code lstm_cell_1}, ... in creation order; a Bidirectional layer
     * creates three LSTMs: the one it wraps, then its forward and backward copies): {@code lstm/lstm_cell/kernel:0},
     * {@code bidirectional/forward_lstm/lstm_cell_2/kernel:0}, {@code time_distributed/kernel:0}.
     */
    static List<TfKerasH5TestWriter.LayerWeights> tfKerasWeights(KerasModelFixture fixture) {
        List<TfKerasH5TestWriter.LayerWeights> out = new ArrayList<>();
        List<JsonNode> configs = fixture.configLayers();
        int cells = 0;
        for (int i = 0; i < fixture.layers().size(); i++) {
            Layer layer = fixture.layers().get(i);
            JsonNode config = configs.get(i).get("config");
            Map<String, Object> weights = new LinkedHashMap<>();
            switch (layer.className()) {
                case "LSTM" -> {
                    String cell = cellName(cells++);
                    layer.weights().forEach(w -> weights.put(layer.name() + "/" + cell + "/" + w.name() + ":0", w.value()));
                }
                case "RNN" -> {
                    String cell = config.get("cell").get("config").get("name").asString();
                    layer.weights().forEach(w -> weights.put(layer.name() + "/" + cell + "/" + w.name() + ":0", w.value()));
                }
                case "Bidirectional" -> {
                    String forward = cellName(cells + 1);
                    String backward = cellName(cells + 2);
                    cells += 3;
                    for (Weight w : layer.weights()) {
                        String[] parts = w.name().split("/");
                        String cell = parts[0].startsWith("forward_") ? forward : backward;
                        weights.put(layer.name() + "/" + parts[0] + "/" + cell + "/" + parts[1] + ":0", w.value());
                    }
                }
                default -> layer.weights().forEach(w -> weights.put(layer.name() + "/" + w.name() + ":0", w.value()));
            }
            out.add(new TfKerasH5TestWriter.LayerWeights(layer.name(), weights));
        }
        return out;
    }

    private static String cellName(int index) {
        return index == 0 ? "lstm_cell" : "lstm_cell_" + index;
    }

    // ---------------------------------------------------------------------------------------------
    // Keras 3: config.json and model.weights.h5
    // ---------------------------------------------------------------------------------------------

    /**
     * What Keras 3's {@code saving_lib} writes to {@code model.weights.h5} for the fixture's model: the model's own
     * (empty) {@code vars}, then each layer of {@code model.layers} under {@code layers/<snake_case class>[_N]} with its
     * own variables, and its saveable attributes below it ({@code cell}; a Bidirectional's {@code forward_layer} and
     * {@code backward_layer}, each with its {@code cell}; a TimeDistributed's {@code layer}).
     */
    static List<Saved> keras3Weights(KerasModelFixture fixture) {
        List<Saved> saved = new ArrayList<>();
        saved.add(new Saved("", "sequential", List.of()));
        Map<String, Integer> used = new HashMap<>();
        List<JsonNode> configs = fixture.configLayers();
        for (int i = 0; i < fixture.layers().size(); i++) {
            Layer layer = fixture.layers().get(i);
            JsonNode config = configs.get(i).get("config");
            String snake = KerasArchiveReader.toSnakeCase(layer.className());
            int count = used.merge(snake, 1, Integer::sum) - 1;
            String path = "layers/" + snake + (count == 0 ? "" : "_" + count);
            List<Object> values = layer.weights().stream().map(Weight::value).toList();
            switch (layer.className()) {
                case "LSTM" -> {
                    saved.add(new Saved(path, layer.name(), List.of()));
                    saved.add(new Saved(path + "/cell", "lstm_cell", values));
                }
                case "RNN" -> {
                    saved.add(new Saved(path, layer.name(), List.of()));
                    saved.add(new Saved(path + "/cell", config.get("cell").get("config").get("name").asString(), values));
                }
                case "Bidirectional" -> {
                    String inner = config.get("layer").get("config").get("name").asString();
                    int half = values.size() / 2;
                    saved.add(new Saved(path, layer.name(), List.of()));
                    saved.add(new Saved(path + "/forward_layer", "forward_" + inner, List.of()));
                    saved.add(new Saved(path + "/forward_layer/cell", "lstm_cell", values.subList(0, half)));
                    saved.add(new Saved(path + "/backward_layer", "backward_" + inner, List.of()));
                    saved.add(new Saved(path + "/backward_layer/cell", "lstm_cell", values.subList(half, values.size())));
                }
                case "TimeDistributed" -> {
                    saved.add(new Saved(path, layer.name(), List.of()));
                    saved.add(new Saved(path + "/layer", config.get("layer").get("config").get("name").asString(), values));
                }
                default -> saved.add(new Saved(path, layer.name(), values));
            }
        }
        return saved;
    }

    /**
     * The fixture's model as Keras 3 serialises it ({@code keras/src/saving/serialization_lib.py}
     * {@code serialize_keras_object}): {@code module}, {@code class_name}, {@code config}, {@code registered_name} and,
     * for a built layer, {@code build_config}; the dtype as a {@code DTypePolicy}; initializers as objects of
     * {@code keras.initializers}; a Sequential's layers include its InputLayer ({@code batch_shape}). Per class, the
     * config keys of Keras 3.6's {@code get_config}: an RNN adds {@code zero_output_for_mask}; a Bidirectional holds
     * its forward layer as {@code layer} (named {@code forward_<name>}) and its {@code backward_layer} ({@code
     * backward_<name>}, {@code go_backwards} flipped), both with {@code zero_output_for_mask} = return_sequences as
     * its constructor forces; a TimeDistributed holds its {@code layer}.
     */
    static ObjectNode keras3Config(KerasModelFixture fixture) {
        List<Layer> layers = fixture.layers();
        List<JsonNode> configs = fixture.configLayers();
        ArrayNode list = NODES.arrayNode();
        JsonNode input = fixture.inputLayer();
        ObjectNode inputConfig = NODES.objectNode();
        inputConfig.set("batch_shape", input.get("batch_input_shape"));
        inputConfig.put("dtype", input.get("dtype").asString());
        inputConfig.put("sparse", false);
        inputConfig.put("name", "input_layer");
        list.add(serialized("keras.layers", "InputLayer", inputConfig, null));
        for (int i = 0; i < layers.size(); i++) {
            list.add(keras3Layer(configs.get(i), layers.get(i).inputShape()));
        }
        ObjectNode config = NODES.objectNode();
        config.put("name", "sequential");
        config.put("trainable", true);
        config.set("dtype", policy());
        config.set("layers", list);
        ObjectNode model = serialized("keras", "Sequential", config, input.get("batch_input_shape"));
        model.putNull("compile_config");
        return model;
    }

    private static ObjectNode keras3Layer(JsonNode layer, JsonNode inputShape) {
        String className = layer.get("class_name").asString();
        JsonNode c = layer.get("config");
        ObjectNode config = base(c.get("name").asString());
        switch (className) {
            case "Embedding" -> {
                copy(c, config, "input_dim", "output_dim");
                config.set("embeddings_initializer", initializer(c.get("embeddings_initializer")));
                config.putNull("embeddings_regularizer");
                config.putNull("activity_regularizer");
                config.putNull("embeddings_constraint");
                copy(c, config, "mask_zero");
            }
            case "Masking" -> copy(c, config, "mask_value");
            case "LSTM" -> lstmConfig(c, config, false);
            case "RNN" -> {
                rnnFlags(c, config, false);
                JsonNode cell = c.get("cell").get("config");
                ObjectNode cellConfig = base(cell.get("name").asString());
                cellFields(cell, cellConfig);
                ArrayNode cellInput = NODES.arrayNode().addNull().add(inputShape.get(2));
                config.set("cell", serialized("keras.layers", "LSTMCell", cellConfig, cellInput));
            }
            case "Bidirectional" -> {
                config.put("merge_mode", c.get("merge_mode").asString());
                JsonNode inner = c.get("layer").get("config");
                boolean sequences = inner.get("return_sequences").asBoolean();
                for (String direction : new String[] {"forward", "backward"}) {
                    ObjectNode directionConfig = base(direction + "_" + inner.get("name").asString());
                    lstmConfig(inner, directionConfig, sequences);
                    if (direction.equals("backward")) {
                        directionConfig.put("go_backwards", !inner.get("go_backwards").asBoolean());
                    }
                    config.set(direction.equals("forward") ? "layer" : "backward_layer",
                            serialized("keras.layers", "LSTM", directionConfig, inputShape));
                }
            }
            case "TimeDistributed" -> {
                JsonNode inner = c.get("layer").get("config");
                ObjectNode denseConfig = base(inner.get("name").asString());
                denseFields(inner, denseConfig);
                ArrayNode stepShape = NODES.arrayNode().addNull().add(inputShape.get(2));
                config.set("layer", serialized("keras.layers", "Dense", denseConfig, stepShape));
            }
            case "Dense" -> denseFields(c, config);
            default -> throw new IllegalArgumentException("no Keras 3 form for " + className);
        }
        return serialized("keras.layers", className, config, inputShape);
    }

    private static void lstmConfig(JsonNode c, ObjectNode config, boolean zeroOutputForMask) {
        rnnFlags(c, config, zeroOutputForMask);
        cellFields(c, config);
        config.putNull("activity_regularizer");
    }

    private static void rnnFlags(JsonNode c, ObjectNode config, boolean zeroOutputForMask) {
        copy(c, config, "return_sequences", "return_state", "go_backwards", "stateful", "unroll");
        config.put("zero_output_for_mask", zeroOutputForMask);
    }

    private static void cellFields(JsonNode c, ObjectNode config) {
        copy(c, config, "units", "activation", "recurrent_activation", "use_bias");
        config.set("kernel_initializer", initializer(c.get("kernel_initializer")));
        config.set("recurrent_initializer", initializer(c.get("recurrent_initializer")));
        config.set("bias_initializer", initializer(c.get("bias_initializer")));
        copy(c, config, "unit_forget_bias");
        for (String empty : new String[] {"kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                "kernel_constraint", "recurrent_constraint", "bias_constraint"}) {
            config.putNull(empty);
        }
        copy(c, config, "dropout", "recurrent_dropout");
        config.putNull("seed");
    }

    private static void denseFields(JsonNode c, ObjectNode config) {
        copy(c, config, "units", "activation", "use_bias");
        config.set("kernel_initializer", initializer(c.get("kernel_initializer")));
        config.set("bias_initializer", initializer(c.get("bias_initializer")));
        for (String empty : new String[] {"kernel_regularizer", "bias_regularizer", "kernel_constraint", "bias_constraint"}) {
            config.putNull(empty);
        }
    }

    private static ObjectNode base(String name) {
        ObjectNode config = NODES.objectNode();
        config.put("name", name);
        config.put("trainable", true);
        config.set("dtype", policy());
        return config;
    }

    private static ObjectNode policy() {
        ObjectNode policyConfig = NODES.objectNode();
        policyConfig.put("name", "float32");
        return serialized("keras", "DTypePolicy", policyConfig, null);
    }

    private static ObjectNode initializer(JsonNode keras2) {
        ObjectNode out = NODES.objectNode();
        out.put("module", "keras.initializers");
        out.put("class_name", keras2.get("class_name").asString());
        out.set("config", keras2.get("config"));
        out.putNull("registered_name");
        return out;
    }

    private static ObjectNode serialized(String module, String className, ObjectNode config, JsonNode inputShape) {
        ObjectNode out = NODES.objectNode();
        out.put("module", module);
        out.put("class_name", className);
        out.set("config", config);
        out.putNull("registered_name");
        if (inputShape != null) {
            out.set("build_config", NODES.objectNode().set("input_shape", inputShape));
        }
        return out;
    }

    private static void copy(JsonNode from, ObjectNode to, String... keys) {
        for (String key : keys) {
            to.set(key, from.get(key));
        }
    }
}
