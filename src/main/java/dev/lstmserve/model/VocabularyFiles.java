package dev.lstmserve.model;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the vocabulary sidecar ({@code lstm.model.vocabulary-path}): the JSON of Keras' {@code Tokenizer.to_json()}
 * (recognised by its content: a JSON object) or a plain UTF-8 word list, one word per line, the id of a word being
 * its line number from 0 (a byte-order mark, {@code \r\n} line ends and one final newline are allowed).
 */
public final class VocabularyFiles {

    /** A sidecar larger than this is refused (a million-word Tokenizer JSON is well below it). */
    static final long MAX_BYTES = 256L << 20;

    private VocabularyFiles() {
    }

    /** @throws ModelLoadException naming the file and the problem */
    public static TextVocabulary read(Path file) {
        String source = file.toString();
        String text;
        try {
            if (!Files.isRegularFile(file)) {
                throw new ModelLoadException(source, Files.exists(file) ? "is not a regular file" : "no such file");
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new ModelLoadException(source, "is larger than " + (MAX_BYTES >> 20) + " MiB");
            }
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new ModelLoadException(source, "is not UTF-8 text");
        } catch (IOException e) {
            throw new ModelLoadException(source, "cannot be read: " + e.getMessage(), e);
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        try {
            if (text.stripLeading().startsWith("{")) {
                return KerasTokenizer.fromJson(text);
            }
            return new Vocabulary(lines(text));
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(source, e.getMessage(), e);
        }
    }

    private static List<String> lines(String text) {
        List<String> words = new ArrayList<>(List.of(text.split("\r?\n", -1)));
        if (!words.isEmpty() && words.get(words.size() - 1).isEmpty()) {
            words.remove(words.size() - 1);
        }
        return words;
    }
}
