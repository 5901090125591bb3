package dev.lstmserve.model;

import java.util.List;

/**
 * Turns {@code text} windows into token ids for a model with an Embedding, and ids back into words for
 * {@code top_k}: the seed's word list ({@link Vocabulary}) or Keras' {@code Tokenizer} ({@link KerasTokenizer}).
 */
public interface TextVocabulary {

    /**
     * The ids of one window of text.
     *
     * @param field names the window in error messages, e.g. {@code text[1]}
     * @throws IllegalArgumentException naming the field and the word when the window cannot be tokenised
     */
    int[] tokenize(String field, String window);

    /** The word of each id ({@code words().get(id)}); {@code null} for an id without a word (Keras' padding id 0). */
    List<String> words();

    /** Number of ids, {@code words().size()}. */
    int size();
}
