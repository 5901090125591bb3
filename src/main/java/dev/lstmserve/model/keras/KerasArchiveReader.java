package dev.lstmserve.model.keras;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import dev.lstmserve.model.ModelLoadException;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import tools.jackson.databind.JsonNode;

/**
 * Reads a Keras 3 {@code .keras} archive ({@code keras/src/saving/saving_lib.py} {@code _save_model_to_fileobj}): a
 * zip of {@code config.json} (the serialized model), {@code metadata.json} ({@code keras_version}) and
 * {@code model.weights.h5}. Only those three entries are read, each with a bound on its uncompressed size, and the
 * weights are copied (bounded) to a temporary file that is deleted after reading.
 *
 * <p>Inside {@code model.weights.h5} a layer's variables are addressed by class and counter, not by the layer's
 * name; see {@link #layerPaths} for the rule and its source.
 */
final class KerasArchiveReader {

    static final String CONFIG = "config.json";
    static final String METADATA = "metadata.json";
    static final String WEIGHTS = "model.weights.h5";

    static final long MAX_JSON_BYTES = 64L << 20;
    static final long MAX_WEIGHTS_BYTES = 16L << 30;
    /**
     * Keras stores the entries uncompressed; a re-zipped archive compresses float32 weights by a few percent. A
     * deflated weights entry may expand to at most 20× the archive (deflate alone reaches ~1000×).
     */
    static final long MAX_DEFLATE_RATIO = 20;

    private static final Pattern NUMBERED = Pattern.compile("(.*?)(?:_(\\d+))?");

    private KerasArchiveReader() {
    }

    static KerasModelSpec read(Path file) {
        String source = file.toString();
        long archiveSize = KerasH5Reader.size(file, source);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry configEntry = zip.getEntry(CONFIG);
            ZipEntry weightsEntry = zip.getEntry(WEIGHTS);
            if (configEntry == null) {
                throw new ModelLoadException(source, "is a zip archive without " + CONFIG + ": not a Keras 3 .keras file");
            }
            if (weightsEntry == null) {
                throw new ModelLoadException(source, zip.getEntry("model.weights.npz") != null
                        ? "stores its weights as model.weights.npz; save with Keras' default weights format (h5)"
                        : "has no " + WEIGHTS + ": the archive holds no weights");
            }
            JsonNode config = KerasModelConfig.parse(readBounded(zip, configEntry, MAX_JSON_BYTES, source), source, CONFIG);
            ZipEntry metadataEntry = zip.getEntry(METADATA);
            String kerasVersion = null;
            if (metadataEntry != null) {
                JsonNode metadata = KerasModelConfig.parse(readBounded(zip, metadataEntry, 1L << 20, source), source, METADATA);
                kerasVersion = KerasModelConfig.text(metadata.get("keras_version"));
            }
            KerasModelConfig.Chain chain = KerasModelConfig.chain(config, source);

            long limit = Math.min(MAX_WEIGHTS_BYTES, weightsEntry.getMethod() == ZipEntry.STORED
                    ? archiveSize : archiveSize * MAX_DEFLATE_RATIO);
            Path weightsFile = Files.createTempFile("lstm-serve-", ".weights.h5");
            try {
                long copied;
                try (InputStream in = zip.getInputStream(weightsEntry); OutputStream out = Files.newOutputStream(weightsFile)) {
                    copied = copyBounded(in, out, limit, source, WEIGHTS);
                }
                try (HdfFile hdf = new HdfFile(weightsFile)) {
                    List<KerasLayerSpec> layers = readLayers(hdf, new Hdf5Reading(source + "!/" + WEIGHTS, copied),
                            chain, kerasMajor(kerasVersion), source);
                    return new KerasModelSpec(source, KerasModelSpec.KERAS_V3, kerasVersion, null, chain.modelClass(),
                            chain.inputShape(), layers);
                }
            } finally {
                Files.deleteIfExists(weightsFile);
            }
        } catch (ZipException e) {
            throw new ModelLoadException(source, "is not a readable zip (.keras) archive: " + e.getMessage());
        } catch (IOException e) {
            throw new ModelLoadException(source, "cannot be read: " + e.getMessage(), e);
        }
    }

    private static int kerasMajor(String version) {
        return version != null && !version.isEmpty() && Character.isDigit(version.charAt(0)) ? version.charAt(0) - '0' : 3;
    }

    /**
     * Where each layer's variables live in {@code model.weights.h5}, as Keras 3 writes them
     * ({@code keras/src/saving/saving_lib.py}):
     * <ul>
     * <li>{@code _save_state(model, inner_path="")} visits the model, then {@code _walk_saveable} yields
     * {@code ("layers", model.layers)} first for a Sequential or Functional model;</li>
     * <li>{@code _save_container_state} names each layer of that list
     * {@code naming.to_snake_case(layer.__class__.__name__)}, plus {@code _1}, {@code _2}, ... for the second, third
     * ... layer of the same class ({@code used_names} counter; {@code _get_unique_name} in later versions), so the
     * path is {@code layers/lstm}, {@code layers/lstm_1}, whatever the layers' own names;</li>
     * <li>{@code model.layers} of a Sequential omits its InputLayer ({@code keras/src/models/sequential.py}
     * {@code layers}), so that takes no path; a Functional model's {@code layers} are its operations in config
     * order, InputLayer included ({@code layers/input_layer}, with no variables);</li>
     * <li>each saveable's own variables go to {@code <path>/vars/0, 1, ...} ({@code Layer.save_own_variables}:
     * trainable then non-trainable, in creation order), and its attributes that are saveables get
     * {@code <path>/<attribute>}: an LSTM's {@code cell} ({@code layers/lstm/cell/vars/0..2}: kernel,
     * recurrent_kernel, bias), a Bidirectional's {@code forward_layer} and {@code backward_layer}, a
     * TimeDistributed's {@code layer};</li>
     * <li>from Keras 3.6.0 ({@code _save_state}: {@code metadata = {"name": saveable.name}}) each {@code vars} group
     * has a {@code name} attribute; where present it is checked against the config's layer name.</li>
     * </ul>
     * Files written by Keras 2.13–2.15's {@code .keras} format have {@code _layer_checkpoint_dependencies} where Keras
     * 3 has {@code layers}; Keras 3's own loader ({@code H5IOStore.get}) falls back to it, and so does this reader.
     *
     * @return the path of each layer (by name) that has one
     */
    static Map<String, String> layerPaths(KerasModelConfig.Chain chain, String prefix) {
        Map<String, Integer> used = new HashMap<>();
        Map<String, String> paths = new HashMap<>();
        List<KerasModelConfig.Layer> saved = chain.configOrder();
        if ("Sequential".equals(chain.modelClass()) && !saved.isEmpty() && "InputLayer".equals(saved.get(0).className())) {
            saved = saved.subList(1, saved.size());
        }
        for (KerasModelConfig.Layer layer : saved) {
            String name = toSnakeCase(layer.className());
            Integer count = used.get(name);
            if (count == null) {
                used.put(name, 0);
            } else {
                used.put(name, count + 1);
                name = name + "_" + (count + 1);
            }
            paths.put(layer.name(), prefix + "/" + name);
        }
        return paths;
    }

    /** {@code keras/src/utils/naming.py} {@code to_snake_case}. */
    static String toSnakeCase(String name) {
        String s = name.replaceAll("(?U)\\W+", "");
        s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
        return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static List<KerasLayerSpec> readLayers(HdfFile hdf, Hdf5Reading h5, KerasModelConfig.Chain chain,
                                                   int major, String source) {
        String prefix = hdf.getChildren().containsKey("layers") ? "layers"
                : hdf.getChildren().containsKey("_layer_checkpoint_dependencies") ? "_layer_checkpoint_dependencies"
                : "layers";
        Map<String, String> paths = layerPaths(chain, prefix);
        List<KerasLayerSpec> layers = new ArrayList<>();
        int total = 0;
        for (KerasModelConfig.Layer layer : chain.layers()) {
            String path = paths.get(layer.name());
            List<KerasWeight> weights = new ArrayList<>();
            Group group = path == null ? null : Hdf5Reading.group(hdf, path);
            if (group != null) {
                Group vars = Hdf5Reading.group(group, "vars");
                String savedName = vars == null ? null : h5.string(vars, "name");
                if (savedName != null && !savedName.equals(layer.name())) {
                    throw new ModelLoadException(source, "layer " + layer.describe() + ": its weights should be at "
                            + path + ", but that group belongs to layer '" + savedName + "'");
                }
                collect(group, path, layer.className(), layer.config(), h5, layer.describe(), weights);
            }
            if (group == null && KerasWeightCounts.expected(layer.className(), layer.config(), major).orElse(0) > 0) {
                throw new ModelLoadException(source, "layer " + layer.describe() + " has no weights in " + WEIGHTS
                        + " (no group " + path + "; was the model saved before it was built?)");
            }
            KerasH5Reader.checkCount(layer, weights.size(), major, source);
            total += weights.size();
            layers.add(new KerasLayerSpec(layer.className(), layer.name(), layer.config(), weights));
        }
        if (total == 0) {
            throw new ModelLoadException(source, WEIGHTS + " holds no weights: the model was saved before it was built");
        }
        return layers;
    }

    /**
     * A saveable's own {@code vars/0..n-1}, then its sub-saveables: a Bidirectional's {@code forward_layer} before
     * {@code backward_layer} (Keras' {@code layer.weights} order), otherwise the child groups by name with counters in
     * numeric order ({@code cell}, {@code layer}, {@code cells/lstm_cell}, {@code cells/lstm_cell_1}, ...).
     */
    private static void collect(Group group, String path, String className, JsonNode config, Hdf5Reading h5,
                                String layer, List<KerasWeight> out) {
        Group vars = Hdf5Reading.group(group, "vars");
        if (vars != null) {
            int n = 0;
            for (Node child : vars) {
                if (!(child instanceof Dataset)) {
                    throw new ModelLoadException(h5source(h5), "layer " + layer + ": " + path + "/vars/" + child.getName()
                            + " is not a dataset");
                }
                n++;
            }
            for (int i = 0; i < n; i++) {
                if (Hdf5Reading.node(vars, Integer.toString(i)) == null) {
                    throw new ModelLoadException(h5source(h5), "layer " + layer + ": " + path + "/vars has " + n
                            + " variables but no variable " + i);
                }
                out.add(h5.weight(vars, Integer.toString(i), path + "/vars/" + i, layer));
            }
        }
        List<String> children = new ArrayList<>();
        for (Node child : group) {
            if (child instanceof Group && !child.getName().equals("vars")) {
                children.add(child.getName());
            }
        }
        if ("Bidirectional".equals(className)) {
            children.sort(Comparator.comparing((String c) -> c.equals("forward_layer") ? 0 : c.equals("backward_layer") ? 1 : 2)
                    .thenComparing(KerasArchiveReader::counterOrder));
        } else {
            children.sort(KerasArchiveReader::counterOrder);
        }
        for (String child : children) {
            collect(Hdf5Reading.group(group, child), path + "/" + child, "", config, h5, layer, out);
        }
    }

    private static String h5source(Hdf5Reading h5) {
        return h5.source();
    }

    /** {@code lstm_cell} < {@code lstm_cell_1} < {@code lstm_cell_2} < {@code lstm_cell_10}, then by name. */
    private static int counterOrder(String a, String b) {
        Matcher ma = NUMBERED.matcher(a);
        Matcher mb = NUMBERED.matcher(b);
        if (ma.matches() && mb.matches() && ma.group(1).equals(mb.group(1))) {
            long na = ma.group(2) == null ? 0 : Long.parseLong(ma.group(2));
            long nb = mb.group(2) == null ? 0 : Long.parseLong(mb.group(2));
            return Long.compare(na, nb);
        }
        return a.compareTo(b);
    }

    private static byte[] readBounded(ZipFile zip, ZipEntry entry, long limit, String source) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] bytes = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
            if (bytes.length > limit) {
                throw new ModelLoadException(source, entry.getName() + " is larger than " + limit + " bytes");
            }
            return bytes;
        }
    }

    private static long copyBounded(InputStream in, OutputStream out, long limit, String source, String what)
            throws IOException {
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            total += n;
            if (total > limit) {
                throw new ModelLoadException(source, what + " expands to more than " + limit + " bytes, more than an"
                        + " archive of this size can hold: refused as a zip bomb or a corrupt archive");
            }
            out.write(buffer, 0, n);
        }
        return total;
    }
}
