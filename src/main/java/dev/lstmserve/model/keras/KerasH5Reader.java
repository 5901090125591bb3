package dev.lstmserve.model.keras;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

import dev.lstmserve.model.ModelLoadException;
import io.jhdf.HdfFile;
import io.jhdf.api.Group;
import tools.jackson.databind.JsonNode;

/**
 * Reads Keras' HDF5 files: a full model ({@code model.save("m.h5")} in Keras 1.x, 2.x, tf.keras 2.x, and Keras 3's
 * legacy writer) or weights only ({@code model.save_weights("w.h5")}) together with the model's JSON config.
 *
 * <p>Layout (Keras 3 {@code keras/src/legacy/saving/legacy_h5_format.py}: {@code save_model_to_hdf5},
 * {@code save_weights_to_hdf5_group}; Keras 2.2 {@code keras/engine/saving.py}; Keras 1.2
 * {@code keras/engine/topology.py}): root attributes {@code keras_version}, {@code backend} (absent in Keras 1) and,
 * for a full model, {@code model_config} (JSON) with the weights in group {@code model_weights}; a weights-only file
 * has the weight groups at the root. The weights group's {@code layer_names} (split into {@code layer_names0},
 * {@code layer_names1}, ... when larger than an object header) names one group per layer, whose
 * {@code weight_names} lists its datasets, relative to that group, in the layer's {@code weights} order. Weights
 * are read in that order and never found by guessing names, since names differ by version
 * ({@code lstm_1/kernel:0}, {@code lstm/lstm_cell/kernel:0}, {@code lstm_cell_1/...} under {@code lstm_2}, Theano's
 * {@code lstm_1/kernel}, Keras 1's {@code lstm_1_W_i:0}).
 *
 * <p>Layers are matched to the config by name. (Keras' own {@code load_weights} pairs layers that have weights by
 * position; a file whose layer names differ from its config's is refused here, naming both.)
 */
final class KerasH5Reader {

    /** A JSON config larger than this is refused (the largest real configs are a few hundred KB). */
    static final long MAX_CONFIG_BYTES = 64L << 20;

    private KerasH5Reader() {
    }

    static KerasModelSpec read(Path file, Path configFile) {
        String source = file.toString();
        long fileSize = size(file, source);
        try (HdfFile hdf = new HdfFile(file)) {
            Hdf5Reading h5 = new Hdf5Reading(source, fileSize);
            String modelConfig = h5.string(hdf, "model_config");
            Group modelWeights = Hdf5Reading.group(hdf, "model_weights");
            Group weightsGroup = modelWeights != null ? modelWeights : hdf;
            boolean hasLayerNames = weightsGroup.getAttribute("layer_names") != null
                    || weightsGroup.getAttribute("layer_names0") != null;

            JsonNode configRoot;
            String format;
            if (configFile != null) {
                configRoot = readJsonFile(configFile, source);
                format = KerasModelSpec.KERAS_H5_WEIGHTS_JSON;
            } else if (modelConfig != null) {
                configRoot = KerasModelConfig.parse(modelConfig, source, "the model_config attribute");
                format = KerasModelSpec.KERAS_H5;
            } else if (hasLayerNames) {
                throw new ModelLoadException(source, "is a weights-only Keras file (no model_config attribute); set"
                        + " lstm.model.config-path to the model's JSON config (model.to_json())");
            } else {
                throw new ModelLoadException(source, "is an HDF5 file but not a Keras model: it has neither a"
                        + " model_config attribute nor layer_names");
            }
            if (modelConfig != null && modelWeights == null) {
                throw new ModelLoadException(source, "has a model_config but no model_weights group: the file holds"
                        + " no weights");
            }
            if (!hasLayerNames) {
                throw new ModelLoadException(source, "has no layer_names attribute in "
                        + (modelWeights != null ? "model_weights" : "its root group") + ": it holds no Keras weights");
            }

            KerasModelConfig.Chain chain = KerasModelConfig.chain(configRoot, source);
            String kerasVersion = firstNonNull(h5.string(hdf, "keras_version"), h5.string(weightsGroup, "keras_version"),
                    chain.kerasVersion());
            String backend = firstNonNull(h5.string(hdf, "backend"), h5.string(weightsGroup, "backend"), chain.backend());
            int major = kerasMajor(kerasVersion, configRoot);

            List<String> layerNames = h5.strings(weightsGroup, "layer_names");
            Set<String> inChain = new LinkedHashSet<>();
            List<KerasLayerSpec> layers = new ArrayList<>();
            int total = 0;
            for (KerasModelConfig.Layer layer : chain.layers()) {
                inChain.add(layer.name());
                List<KerasWeight> weights = new ArrayList<>();
                if (layerNames.contains(layer.name())) {
                    Group group = Hdf5Reading.group(weightsGroup, layer.name());
                    if (group == null) {
                        throw new ModelLoadException(source, "layer " + layer.describe() + " is in layer_names but its"
                                + " weight group is missing");
                    }
                    for (String weightName : h5.strings(group, "weight_names")) {
                        weights.add(h5.weight(group, weightName, weightName, layer.describe()));
                    }
                } else if (!"InputLayer".equals(layer.className())) {
                    // A Sequential's InputLayer is not among model.layers, so Keras does not save it.
                    throw new ModelLoadException(source, "layer " + layer.describe() + " of the config is not in the"
                            + " weights file, whose layers are " + layerNames);
                }
                checkCount(layer, weights.size(), major, source);
                total += weights.size();
                layers.add(new KerasLayerSpec(layer.className(), layer.name(), layer.config(), weights));
            }
            for (String name : layerNames) {
                Group group = Hdf5Reading.group(weightsGroup, name);
                if (!inChain.contains(name) && group != null && !h5.strings(group, "weight_names").isEmpty()) {
                    throw new ModelLoadException(source, "the weights file has weights for layer '" + name
                            + "', which the config does not have (its layers: " + inChain + ")");
                }
            }
            if (total == 0) {
                throw new ModelLoadException(source, "has no weights: the model was saved before it was built");
            }
            return new KerasModelSpec(source, format, kerasVersion, backend, chain.modelClass(), chain.inputShape(), layers);
        }
    }

    /**
     * The weights of every layer of an HDF5 weights file (full model or weights only), by layer name in
     * {@code layer_names} order, each in {@code weight_names} order; layers without weights map to an empty list.
     */
    static java.util.LinkedHashMap<String, List<KerasWeight>> layerWeights(Path file) {
        String source = file.toString();
        try (HdfFile hdf = new HdfFile(file)) {
            Hdf5Reading h5 = new Hdf5Reading(source, size(file, source));
            Group modelWeights = Hdf5Reading.group(hdf, "model_weights");
            Group weightsGroup = modelWeights != null ? modelWeights : hdf;
            List<String> layerNames = h5.strings(weightsGroup, "layer_names");
            if (layerNames.isEmpty()) {
                throw new ModelLoadException(source, "has no layer_names: it holds no Keras weights");
            }
            java.util.LinkedHashMap<String, List<KerasWeight>> out = new java.util.LinkedHashMap<>();
            for (String name : layerNames) {
                Group group = Hdf5Reading.group(weightsGroup, name);
                if (group == null) {
                    throw new ModelLoadException(source, "layer '" + name + "' is in layer_names but its weight group"
                            + " is missing");
                }
                List<KerasWeight> weights = new ArrayList<>();
                for (String weightName : h5.strings(group, "weight_names")) {
                    weights.add(h5.weight(group, weightName, weightName, "'" + name + "'"));
                }
                out.put(name, List.copyOf(weights));
            }
            return out;
        }
    }

    static void checkCount(KerasModelConfig.Layer layer, int found, int kerasMajor, String source) {
        OptionalInt expected = KerasWeightCounts.expected(layer.className(), layer.config(), kerasMajor);
        if (expected.isPresent() && expected.getAsInt() != found) {
            throw new ModelLoadException(source, "layer " + layer.describe() + " has " + found + " weight array"
                    + (found == 1 ? "" : "s") + " in the file; its config needs " + expected.getAsInt()
                    + (found == 0 ? " (was the model saved before it was built?)" : ""));
        }
    }

    /** Keras' legacy loader takes a file without {@code keras_version} as Keras 1; so does this reader. */
    static int kerasMajor(String kerasVersion, JsonNode configRoot) {
        if (kerasVersion != null && !kerasVersion.isEmpty() && Character.isDigit(kerasVersion.charAt(0))) {
            return kerasVersion.charAt(0) - '0';
        }
        return 1;
    }

    static JsonNode readJsonFile(Path configFile, String source) {
        String configSource = configFile.toString();
        if (!Files.isRegularFile(configFile)) {
            throw new ModelLoadException(source, "its config " + configSource + " (lstm.model.config-path) "
                    + (Files.exists(configFile) ? "is not a regular file" : "does not exist"));
        }
        try (InputStream in = Files.newInputStream(configFile)) {
            byte[] bytes = in.readNBytes((int) MAX_CONFIG_BYTES + 1);
            if (bytes.length > MAX_CONFIG_BYTES) {
                throw new ModelLoadException(source, "its config " + configSource + " is larger than "
                        + (MAX_CONFIG_BYTES >> 20) + " MiB");
            }
            return KerasModelConfig.parse(bytes, source, "its config " + configSource);
        } catch (IOException e) {
            throw new ModelLoadException(source, "its config " + configSource + " cannot be read: " + e.getMessage(), e);
        }
    }

    static long size(Path file, String source) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new ModelLoadException(source, "cannot be read: " + e.getMessage(), e);
        }
    }

    @SafeVarargs
    private static <T> T firstNonNull(T... values) {
        for (T v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
