package dev.lstmserve.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.lstmserve.core.Sequential;
import dev.lstmserve.model.keras.KerasModelMapper;
import dev.lstmserve.model.keras.KerasModelReader;
import dev.lstmserve.model.keras.KerasModelSpec;

/**
 * Reads a model file into core objects, choosing the reader by the file's content, not its name.
 */
public final class ModelLoader {

    /** The embedded default model, the seed's toy language model. */
    public static final String DEFAULT_MODEL = "models/seed-toy.json";

    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    private static final byte[] ZIP_SIGNATURE = {'P', 'K', 3, 4};

    private ModelLoader() {
    }

    /** The embedded default model, {@value #DEFAULT_MODEL}. */
    public static LstmModel loadDefault() {
        String source = "classpath:" + DEFAULT_MODEL;
        InputStream in = ModelLoader.class.getClassLoader().getResourceAsStream(DEFAULT_MODEL);
        if (in == null) {
            throw new ModelLoadException(source, "the embedded default model is missing from the jar");
        }
        return LstmServeJsonReader.read(in, source);
    }

    /** {@link #load(Path, Path)} without a config file. */
    public static LstmModel load(Path path) {
        return load(path, null);
    }

    /**
     * Reads a model file by its content: lstm-serve JSON, a Keras 3 {@code .keras} archive, or a Keras {@code .h5}
     * (full model, or weights only with {@code config}). Parity samples come from the sidecar
     * {@code <model file>.parity.json} when it exists (after an lstm-serve JSON model's own).
     *
     * @param config the JSON config of a weights-only {@code .h5} ({@code lstm.model.config-path}), or {@code null}
     * @throws ModelLoadException naming the file and why it cannot be served
     */
    public static LstmModel load(Path path, Path config) {
        String source = path.toString();
        Content content = sniff(path);
        if (content == Content.OTHER) {
            throw new ModelLoadException(source, "is not a model file this service reads: expected lstm-serve JSON, a"
                    + " Keras .keras archive or a Keras .h5 file");
        }
        if (content == Content.JSON) {
            if (config != null) {
                throw new ModelLoadException(source, "is lstm-serve JSON, which carries its own layers;"
                        + " lstm.model.config-path is only for a weights-only Keras .h5");
            }
            LstmModel model;
            try {
                model = LstmServeJsonReader.read(Files.newInputStream(path), source);
            } catch (IOException e) {
                throw new ModelLoadException(source, "cannot be read: " + e.getMessage(), e);
            }
            return withSidecarSamples(model, path);
        }
        KerasModelSpec spec = KerasModelReader.read(path, config);
        Sequential network = KerasModelMapper.map(spec);
        try {
            return new LstmModel(stem(path), source, spec.format(), spec.kerasVersion(), spec.backend(), null,
                    network, sidecarSamples(path));
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(source, e.getMessage(), e);
        }
    }

    /**
     * The model with the vocabulary of {@code file} ({@code lstm.model.vocabulary-path}): a word list (id = line) or
     * the JSON of Keras' {@code Tokenizer.to_json()}.
     *
     * @throws ModelLoadException naming the file when it cannot be read, when the model has no Embedding, or when the
     *                            model carries a vocabulary of its own
     */
    public static LstmModel withVocabulary(LstmModel model, Path file) {
        if (model.vocabulary() != null) {
            throw new ModelLoadException(file.toString(), "lstm.model.vocabulary-path is set, but model '"
                    + model.name() + "' (" + model.source() + ") carries its own vocabulary");
        }
        TextVocabulary vocabulary = VocabularyFiles.read(file);
        try {
            return new LstmModel(model.name(), model.source(), model.format(), model.kerasVersion(), model.backend(),
                    vocabulary, model.network(), model.parity());
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(file.toString(), e.getMessage(), e);
        }
    }

    /**
     * An lstm-serve JSON model with the samples of its sidecar after its own: an exported model ({@code --lstm.export})
     * takes samples recorded for it later (tools/keras-oracle/record-parity.mjs) like a Keras file does.
     */
    private static LstmModel withSidecarSamples(LstmModel model, Path path) {
        List<ParitySample> sidecar = sidecarSamples(path);
        if (sidecar.isEmpty()) {
            return model;
        }
        List<ParitySample> samples = new ArrayList<>(model.parity());
        samples.addAll(sidecar);
        return new LstmModel(model.name(), model.source(), model.format(), model.kerasVersion(), model.backend(),
                model.vocabulary(), model.network(), samples);
    }

    /** The parity samples of {@code <model file>.parity.json}, or none when there is no such file. */
    static List<ParitySample> sidecarSamples(Path model) {
        Path sidecar = model.resolveSibling(model.getFileName() + ".parity.json");
        if (!Files.isRegularFile(sidecar)) {
            return List.of();
        }
        try {
            return LstmServeJsonReader.readSidecar(Files.newInputStream(sidecar), sidecar.toString());
        } catch (IOException e) {
            throw new ModelLoadException(sidecar.toString(), "cannot be read: " + e.getMessage(), e);
        }
    }

    /** A Keras file's model name: its file name without the extension ({@code my_model.keras} is {@code my_model}). */
    private static String stem(Path path) {
        String file = path.getFileName().toString();
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }

    /** What a model file is, by its first bytes (never by its name). */
    public enum Content {
        /** HDF5 signature: a Keras {@code .h5} (full model or weights only). */
        HDF5,
        /** Zip signature: a Keras 3 {@code .keras} archive. */
        ZIP,
        /** Starts with {@code {} after white space or a byte-order mark: JSON. */
        JSON,
        /** Anything else. */
        OTHER
    }

    /**
     * Sniffs a model file's kind from its first bytes.
     *
     * @throws ModelLoadException when the file is missing, not a regular file or unreadable
     */
    public static Content sniff(Path path) {
        String source = path.toString();
        if (!Files.isRegularFile(path)) {
            throw new ModelLoadException(source, Files.exists(path) ? "is not a regular file" : "no such file");
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(path)) {
            head = in.readNBytes(8);
        } catch (IOException e) {
            throw new ModelLoadException(source, "cannot be read: " + e.getMessage(), e);
        }
        if (startsWith(head, HDF5_SIGNATURE)) {
            return Content.HDF5;
        }
        if (startsWith(head, ZIP_SIGNATURE)) {
            return Content.ZIP;
        }
        return looksLikeJson(head) ? Content.JSON : Content.OTHER;
    }

    private static boolean startsWith(byte[] head, byte[] signature) {
        if (head.length < signature.length) {
            return false;
        }
        for (int i = 0; i < signature.length; i++) {
            if (head[i] != signature[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean looksLikeJson(byte[] head) {
        for (byte b : head) {
            if (b == '{') {
                return true;
            }
            // A UTF-8 byte-order mark or white space may come first.
            if (!(b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == (byte) 0xEF || b == (byte) 0xBB || b == (byte) 0xBF)) {
                return false;
            }
        }
        // Only white space so far (JSON may be indented further than the head): the JSON reader decides.
        return head.length > 0;
    }
}
