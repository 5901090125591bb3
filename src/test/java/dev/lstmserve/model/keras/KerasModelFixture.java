package dev.lstmserve.model.keras;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One whole-model fixture of {@code src/test/resources/keras-models} (tools/keras-oracle/keras-models.mjs): a tf.keras
 * 2.x model config, every layer's weights in Keras' {@code layer.weights} order, and samples with what Keras returns
 * for them ({@code predict}, every recurrent layer's outputs, last output and final states, and {@code top_k} for a
 * softmax head), computed by the tfjs oracle.
 */
public record KerasModelFixture(Path file, JsonNode json) {

    public static final JsonMapper JSON = JsonMapper.builder().build();
    public static final Path DIR = Path.of("src/test/resources/keras-models");

    /** One layer of the model (InputLayer left out, as Keras' {@code model.layers} of a Sequential). */
    public record Layer(String name, String className, JsonNode inputShape, JsonNode outputShape, List<Weight> weights) {
    }

    /**
     * One weight as Keras 3 names it inside its layer ({@code kernel}, {@code forward_lstm/bias}).
     *
     * @param value {@code float[]} or {@code float[][]}
     */
    public record Weight(String name, int[] shape, Object value) {
    }

    public static List<KerasModelFixture> all() {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().map(KerasModelFixture::read)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static KerasModelFixture named(String name) {
        return read(DIR.resolve(name + ".json"));
    }

    /** A fixture of {@code keras-models/shared}: inputs and outputs for a model file of ../shared/keras-reference. */
    public static KerasModelFixture shared(String name) {
        return read(DIR.resolve("shared").resolve(name + ".json"));
    }

    public static KerasModelFixture read(Path file) {
        return new KerasModelFixture(file, JSON.readTree(file.toFile()));
    }

    public String name() {
        return json.get("name").asString();
    }

    /** The tf.keras 2.x {@code model.to_json()}: {@code class_name}, {@code config}, {@code keras_version}, {@code backend}. */
    public JsonNode modelConfig() {
        return json.get("model_config");
    }

    public List<Layer> layers() {
        List<Layer> layers = new ArrayList<>();
        for (JsonNode layer : json.get("layers")) {
            List<Weight> weights = new ArrayList<>();
            for (JsonNode w : layer.path("weights")) {
                int[] shape = JSON.convertValue(w.get("shape"), int[].class);
                Object value = shape.length == 1 ? JSON.convertValue(w.get("value"), float[].class)
                        : JSON.convertValue(w.get("value"), float[][].class);
                weights.add(new Weight(w.get("name").asString(), shape, value));
            }
            layers.add(new Layer(layer.get("name").asString(), layer.get("class_name").asString(),
                    layer.get("input_shape"), layer.get("output_shape"), weights));
        }
        return layers;
    }

    /** The model config's layer entries (class_name and config), InputLayer left out, in order. */
    public List<JsonNode> configLayers() {
        List<JsonNode> layers = new ArrayList<>();
        for (JsonNode layer : modelConfig().get("config").get("layers")) {
            if (!layer.get("class_name").asString().equals("InputLayer")) {
                layers.add(layer);
            }
        }
        return layers;
    }

    /** The InputLayer's {@code batch_input_shape} and {@code dtype}, or {@code null} without one. */
    public JsonNode inputLayer() {
        for (JsonNode layer : modelConfig().get("config").get("layers")) {
            if (layer.get("class_name").asString().equals("InputLayer")) {
                return layer.get("config");
            }
        }
        return null;
    }

    /**
     * The samples whose numbers follow the Keras version that writes {@code format}: {@code samples_keras3} for a
     * Keras 3 archive when the rules differ (hard_sigmoid), else {@code samples}.
     */
    public JsonNode samples(boolean keras3) {
        JsonNode keras3Samples = json.get("samples_keras3");
        return keras3 && keras3Samples != null && !keras3Samples.isNull() ? keras3Samples : json.get("samples");
    }

    @Override
    public String toString() {
        return name();
    }
}
