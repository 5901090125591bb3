package dev.lstmserve.model.keras;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.jhdf.api.WritableGroup;

/**
 * Writes the HDF5 files tf.keras 2.x writes, with {@link Hdf5TestFiles} (read it for what jhdf cannot do as h5py
 * does): a full model ({@code model.save("m.h5")}) and weights only ({@code model.save_weights("w.h5")}). Layout from
 * tf-keras' {@code saving/legacy/hdf5_format.py} ({@code save_model_to_hdf5}, {@code save_weights_to_hdf5_group}):
 * <ul>
 * <li>full model: root attributes {@code backend}, {@code keras_version} and {@code model_config} (the JSON of
 * {@code {"class_name", "config"}}); group {@code model_weights} with attributes {@code backend}, {@code keras_version}
 * and {@code layer_names} (every layer of {@code model.layers}: a Sequential's InputLayer is not one);</li>
 * <li>weights only: the same layer groups and attributes at the root, no {@code model_config};</li>
 * <li>each layer group has {@code weight_names} (the variables' names, in {@code layer.weights} order) and one dataset
 * per name at that path inside the group: {@code lstm/lstm_cell/kernel:0} is dataset {@code kernel:0} in group
 * {@code lstm/lstm_cell} of layer group {@code lstm}. A layer without weights has no {@code weight_names} here (jhdf
 * cannot write Keras' empty array; Keras reads both as an empty list).</li>
 * </ul>
 * Not a file Keras wrote: the layout follows Keras' saving code.
 */
final class TfKerasH5TestWriter {

    /**
     * One layer group.
     *
     * @param weights tf.keras variable name ({@code lstm/lstm_cell/kernel:0}) to {@code float[]} or {@code float[][]},
     *                in {@code layer.weights} order
     */
    record LayerWeights(String layer, Map<String, Object> weights) {
    }

    private TfKerasH5TestWriter() {
    }

    static Path writeFullModel(Path file, String kerasVersion, String modelConfigJson, List<LayerWeights> layers) {
        Hdf5TestFiles.write(file, root -> {
            root.putAttribute("backend", "tensorflow");
            root.putAttribute("keras_version", kerasVersion);
            root.putAttribute("model_config", modelConfigJson);
            layerGroups(root.putGroup("model_weights"), kerasVersion, layers);
        });
        return file;
    }

    static Path writeWeights(Path file, String kerasVersion, List<LayerWeights> layers) {
        Hdf5TestFiles.write(file, root -> layerGroups(root, kerasVersion, layers));
        return file;
    }

    private static void layerGroups(WritableGroup group, String kerasVersion, List<LayerWeights> layers) {
        group.putAttribute("backend", "tensorflow");
        group.putAttribute("keras_version", kerasVersion);
        group.putAttribute("layer_names", layers.stream().map(LayerWeights::layer).toArray(String[]::new));
        for (LayerWeights layer : layers) {
            WritableGroup layerGroup = group.putGroup(layer.layer());
            if (layer.weights().isEmpty()) {
                continue;
            }
            layerGroup.putAttribute("weight_names", layer.weights().keySet().toArray(String[]::new));
            layer.weights().forEach((name, value) -> {
                String[] parts = name.split("/");
                WritableGroup g = layerGroup;
                for (int i = 0; i < parts.length - 1; i++) {
                    g = g.getChild(parts[i]) instanceof WritableGroup existing ? existing : g.putGroup(parts[i]);
                }
                g.putDataset(parts[parts.length - 1], value);
            });
        }
    }
}
