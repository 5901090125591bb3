package dev.lstmserve.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keras' {@code Tokenizer}, read from the JSON its {@code to_json()} writes, tokenising text exactly as its
 * {@code texts_to_sequences} does ({@code keras_preprocessing/text.py}, also {@code keras/preprocessing/text.py} in
 * Keras 2.13):
 * <ol>
 * <li>{@code text_to_word_sequence}: lower-case when {@code lower}; every character of {@code filters} becomes
 * {@code split}; split on {@code split} (the exact string, not white space in general); drop empty pieces. With
 * {@code char_level} the (lower-cased) characters are the tokens and {@code filters} is not applied.</li>
 * <li>each token's id is {@code word_index[token]}; an id {@code ≥ num_words} (when {@code num_words} is set) is
 * replaced by the id of {@code oov_token}, or dropped when there is none; a token not in {@code word_index} becomes
 * the {@code oov_token}'s id.</li>
 * </ol>
 * <p>Where Keras would drop a word (no {@code oov_token}), this class refuses the window instead, naming the word:
 * dropping would silently shorten one window of a batch whose windows must have the same length, and change what the
 * model sees. Send text that Keras would keep, or give the Tokenizer an {@code oov_token}.
 *
 * <p>{@code to_json()} stores {@code word_index}, {@code index_word}, {@code word_counts}, {@code word_docs} and
 * {@code index_docs} as JSON strings inside the JSON ({@code Tokenizer.get_config}); both that and plain objects are
 * read.
 */
public final class KerasTokenizer implements TextVocabulary {

    /** Keras' default {@code filters}. */
    public static final String DEFAULT_FILTERS = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Map<String, Integer> wordIndex;
    private final List<String> words;
    private final Integer numWords;
    private final String filters;
    private final boolean lower;
    private final String split;
    private final boolean charLevel;
    private final String oovToken;
    private final Integer oovIndex;

    public KerasTokenizer(Map<String, Integer> wordIndex, Integer numWords, String filters, boolean lower, String split,
                          boolean charLevel, String oovToken) {
        if (split == null || split.isEmpty()) {
            throw new IllegalArgumentException("Tokenizer split must be a non-empty string");
        }
        this.wordIndex = Map.copyOf(wordIndex);
        this.numWords = numWords;
        this.filters = filters == null ? "" : filters;
        this.lower = lower;
        this.split = split;
        this.charLevel = charLevel;
        this.oovToken = oovToken;
        this.oovIndex = oovToken == null ? null : wordIndex.get(oovToken);
        int max = 0;
        for (Map.Entry<String, Integer> e : wordIndex.entrySet()) {
            if (e.getValue() == null || e.getValue() < 0) {
                throw new IllegalArgumentException("Tokenizer word_index[\"" + e.getKey() + "\"] = " + e.getValue()
                        + " is not an id");
            }
            max = Math.max(max, e.getValue());
        }
        int size = numWords != null && numWords > 0 ? Math.min(numWords, max + 1) : max + 1;
        List<String> byId = new ArrayList<>(Collections.nCopies(size, (String) null));
        for (Map.Entry<String, Integer> e : wordIndex.entrySet()) {
            if (e.getValue() < size && byId.get(e.getValue()) == null) {
                byId.set(e.getValue(), e.getKey());
            }
        }
        this.words = Collections.unmodifiableList(byId);
    }

    /**
     * Reads the JSON of {@code Tokenizer.to_json()}.
     *
     * @throws IllegalArgumentException naming the field that is missing or malformed
     */
    public static KerasTokenizer fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject() || !"Tokenizer".equals(root.path("class_name").asString(null))) {
            throw new IllegalArgumentException("not the JSON of Keras' Tokenizer.to_json() (class_name \"Tokenizer\")");
        }
        JsonNode config = root.path("config");
        JsonNode wordIndexNode = embedded(config.get("word_index"), "word_index");
        if (wordIndexNode == null || !wordIndexNode.isObject()) {
            throw new IllegalArgumentException("Tokenizer config has no word_index");
        }
        Map<String, Integer> wordIndex = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : wordIndexNode.properties()) {
            if (!e.getValue().isIntegralNumber()) {
                throw new IllegalArgumentException("Tokenizer word_index[\"" + e.getKey() + "\"] = " + e.getValue()
                        + " is not an integer id");
            }
            wordIndex.put(e.getKey(), e.getValue().asInt());
        }
        JsonNode numWords = config.get("num_words");
        JsonNode filters = config.get("filters");
        JsonNode split = config.get("split");
        JsonNode oov = config.get("oov_token");
        return new KerasTokenizer(wordIndex,
                numWords == null || numWords.isNull() ? null : numWords.asInt(),
                filters == null || filters.isNull() ? DEFAULT_FILTERS : filters.asString(),
                config.path("lower").asBoolean(true),
                split == null || split.isNull() ? " " : split.asString(),
                config.path("char_level").asBoolean(false),
                oov == null || oov.isNull() ? null : oov.asString());
    }

    /** {@code to_json()} writes the dictionaries as JSON strings (json.dumps) inside the JSON. */
    private static JsonNode embedded(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isString()) {
            try {
                return JSON.readTree(node.asString());
            } catch (JacksonException e) {
                throw new IllegalArgumentException("Tokenizer " + field + " is a string but not JSON: " + e.getOriginalMessage());
            }
        }
        return node;
    }

    @Override
    public int[] tokenize(String field, String window) {
        List<String> tokens = charLevel ? characters(window) : textToWordSequence(window);
        List<Integer> ids = new ArrayList<>();
        for (int position = 0; position < tokens.size(); position++) {
            String token = tokens.get(position);
            Integer id = wordIndex.get(token);
            if (id != null && (numWords == null || numWords == 0 || id < numWords)) {
                ids.add(id);
            } else if (oovIndex != null && (id != null || oovToken != null)) {
                ids.add(oovIndex);
            } else {
                throw new IllegalArgumentException(field + " word " + position + " \"" + token + "\" "
                        + (id == null ? "is not in the Tokenizer's word_index" : "has id " + id + " ≥ num_words " + numWords)
                        + " and the Tokenizer has no oov_token: Keras would drop it, which would change the window");
            }
        }
        if (ids.isEmpty()) {
            throw new IllegalArgumentException(field + " = \"" + window + "\" has no words");
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** {@code text_to_word_sequence(text, filters, lower, split)}. */
    List<String> textToWordSequence(String text) {
        String s = lower ? text.toLowerCase(Locale.ROOT) : text;
        StringBuilder translated = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (filters.indexOf(c) >= 0) {
                translated.append(split);
            } else {
                translated.appendCodePoint(c);
            }
        });
        List<String> out = new ArrayList<>();
        String all = translated.toString();
        int from = 0;
        while (true) {
            int at = all.indexOf(split, from);
            String piece = at < 0 ? all.substring(from) : all.substring(from, at);
            if (!piece.isEmpty()) {
                out.add(piece);
            }
            if (at < 0) {
                break;
            }
            from = at + split.length();
        }
        return out;
    }

    private List<String> characters(String text) {
        String s = lower ? text.toLowerCase(Locale.ROOT) : text;
        List<String> out = new ArrayList<>();
        s.codePoints().forEach(c -> out.add(new String(Character.toChars(c))));
        return out;
    }

    @Override
    public List<String> words() {
        return words;
    }

    @Override
    public int size() {
        return words.size();
    }

    /** The Tokenizer's {@code oov_token}, or {@code null}. */
    public String oovToken() {
        return oovToken;
    }
}
