package dev.lstmserve.model;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The words of a language model by id, and the seed's tokenisation: lower-case, split on white space (Unicode, like
 * Python's {@code str.split()}), a word not in the vocabulary becomes {@value #UNKNOWN} (when the vocabulary has it).
 */
public final class Vocabulary implements TextVocabulary {

    /** The seed's token for words outside the vocabulary. */
    public static final String UNKNOWN = "<_unk>";

    /** Unicode white space, as Python's {@code str.split()} splits (the seed's tokenisation). */
    private static final Pattern WHITE_SPACE = Pattern.compile("(?U)\\s+");

    private final List<String> words;
    private final Map<String, Integer> ids;

    /**
     * @param words the word of each id, {@code words.get(id)}
     * @throws IllegalArgumentException on an empty, blank or repeated word
     */
    public Vocabulary(List<String> words) {
        this.words = List.copyOf(words);
        this.ids = new HashMap<>();
        for (int id = 0; id < this.words.size(); id++) {
            String word = this.words.get(id);
            if (word.isEmpty() || WHITE_SPACE.matcher(word).find()) {
                throw new IllegalArgumentException("vocabulary[" + id + "] = \"" + word
                        + "\" is not a single word without white space");
            }
            if (!word.equals(word.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("vocabulary[" + id + "] = \"" + word + "\" has upper-case letters;"
                        + " text is lower-cased before lookup, so it could never match");
            }
            Integer previous = ids.put(word, id);
            if (previous != null) {
                throw new IllegalArgumentException("vocabulary[" + id + "] = \"" + word
                        + "\" repeats vocabulary[" + previous + "]");
            }
        }
    }

    @Override
    public List<String> words() {
        return words;
    }

    @Override
    public int size() {
        return words.size();
    }

    /**
     * The ids of one window of text.
     *
     * @param field names the window in error messages, e.g. {@code text[1]}
     * @throws IllegalArgumentException when the window is empty, or a word is unknown and there is no {@value #UNKNOWN}
     */
    @Override
    public int[] tokenize(String field, String window) {
        String[] parts = WHITE_SPACE.splitAsStream(window.toLowerCase(Locale.ROOT))
                .filter(part -> !part.isEmpty())
                .toArray(String[]::new);
        if (parts.length == 0) {
            throw new IllegalArgumentException(field + " = \"" + window + "\" has no words");
        }
        Integer unknown = ids.get(UNKNOWN);
        int[] tokens = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            Integer id = ids.get(parts[i]);
            if (id == null) {
                if (unknown == null) {
                    throw new IllegalArgumentException(field + " word " + i + " \"" + parts[i]
                            + "\" is not in the vocabulary, which has no " + UNKNOWN + " for unknown words");
                }
                id = unknown;
            }
            tokens[i] = id;
        }
        return tokens;
    }
}
