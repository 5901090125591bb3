package dev.lstmserve.model.keras;

import java.nio.file.Path;

import dev.lstmserve.model.ModelLoadException;
import dev.lstmserve.model.ModelLoader;

/**
 * Reads any Keras model file into a {@link KerasModelSpec}, choosing the reader by content: a zip is a Keras 3
 * {@code .keras} archive, an HDF5 file a full-model {@code .h5} or, with a config file, a weights-only {@code .h5}.
 *
 * <p>Every problem is a {@link ModelLoadException} naming the file, the layer (name and class) where there is one,
 * and the reason: several inputs or outputs, a branch, a nested model, a model saved before it was built, a
 * weights-only file without its config, a config layer missing from the weights or with a different number of
 * weights, a non-float dataset, and corrupt, truncated or wrong-kind files. Layer classes are not judged here: a GRU
 * or Conv1D file is read like any other, and the mappers refuse what cannot be served.
 */
public final class KerasModelReader {

    private KerasModelReader() {
    }

    /** A {@code .keras} archive or a full-model {@code .h5}. */
    public static KerasModelSpec read(Path model) {
        return read(model, null);
    }

    /**
     * @param model  the model file ({@code lstm.model.path})
     * @param config the JSON config of a weights-only {@code .h5} ({@code lstm.model.config-path}), or {@code null}
     * @throws ModelLoadException naming the file and why it cannot be read
     */
    public static KerasModelSpec read(Path model, Path config) {
        String source = model.toString();
        ModelLoader.Content content = ModelLoader.sniff(model);
        try {
            return switch (content) {
                case ZIP -> {
                    if (config != null) {
                        throw new ModelLoadException(source, "is a .keras archive, which carries its own config;"
                                + " lstm.model.config-path is only for weights-only .h5 files");
                    }
                    yield KerasArchiveReader.read(model);
                }
                case HDF5 -> KerasH5Reader.read(model, config);
                case JSON -> throw new ModelLoadException(source, "is a JSON file, not a Keras model file (.keras or"
                        + " .h5); a Keras JSON config goes in lstm.model.config-path beside its weights .h5");
                case OTHER -> throw new ModelLoadException(source, "is neither a Keras .keras archive (zip) nor an"
                        + " HDF5 .h5 file");
            };
        } catch (ModelLoadException e) {
            throw e;
        } catch (RuntimeException e) {
            // jhdf reports a damaged file with its own exceptions (or plain buffer errors): say what happened, in words.
            throw new ModelLoadException(source, "cannot be read as a " + (content == ModelLoader.Content.ZIP
                    ? ".keras archive" : "Keras HDF5 file") + " (corrupt or truncated?): " + describe(e), e);
        }
    }

    /**
     * The weights alone of a Keras HDF5 file, without a config (e.g. to inspect a weights-only file): layer name to
     * its weights in Keras' order, in the file's {@code layer_names} order.
     *
     * @throws ModelLoadException when the file is not a readable Keras HDF5 weights file
     */
    public static java.util.Map<String, java.util.List<KerasWeight>> readLayerWeights(Path h5) {
        String source = h5.toString();
        if (ModelLoader.sniff(h5) != ModelLoader.Content.HDF5) {
            throw new ModelLoadException(source, "is not an HDF5 file");
        }
        try {
            return java.util.Collections.unmodifiableMap(KerasH5Reader.layerWeights(h5));
        } catch (ModelLoadException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelLoadException(source, "cannot be read as a Keras HDF5 file (corrupt or truncated?): "
                    + describe(e), e);
        }
    }

    private static String describe(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null && text.length() < 300; t = t.getCause()) {
            if (!text.isEmpty()) {
                text.append(": ");
            }
            text.append(t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
        }
        return text.toString();
    }
}
