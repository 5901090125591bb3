package dev.lstmserve.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

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

    /**
     * @param path a model file: lstm-serve JSON
     * @throws ModelLoadException naming the file and why it cannot be served
     */
    public static LstmModel load(Path path) {
        String source = path.toString();
        switch (sniff(path)) {
            case HDF5 -> throw new ModelLoadException(source, "is an HDF5 (.h5) Keras file; this version reads"
                    + " lstm-serve JSON models only (see README, \"Model format\")");
            case ZIP -> throw new ModelLoadException(source, "is a zip (.keras) archive; this version reads lstm-serve"
                    + " JSON models only (see README, \"Model format\")");
            case OTHER -> throw new ModelLoadException(source, "is not a model file this service reads (expected"
                    + " lstm-serve JSON)");
            case JSON -> {
            }
        }
        try {
            return LstmServeJsonReader.read(Files.newInputStream(path), source);
        } catch (IOException e) {
            throw new ModelLoadException(source, "cannot be read: " + e.getMessage(), e);
        }
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
