package dev.lstmserve.inference;

import java.util.List;
import java.util.Map;

/**
 * What is being served, for {@code GET /lstm/model}.
 *
 * @param vocabulary     the word of each token id, or {@code null} for a model without one
 * @param vocabularySize the Embedding's input_dim (valid token ids are {@code [0, vocabulary_size)}), or
 *                       {@code null} without an Embedding
 * @param embeddingSize  the Embedding's output_dim, or {@code null} without an Embedding
 * @param inputSize      E, the features of one step of {@code inputs}
 * @param layers         the layers in order, each with its Keras class name and main settings
 */
public record ModelDescription(String name, String source, String format, String kerasVersion,
                               List<String> vocabulary, Integer vocabularySize, Integer embeddingSize, int inputSize,
                               int units, String activation, String recurrentActivation, boolean useBias,
                               boolean goBackwards, boolean maskZero, int paritySamples,
                               List<Map<String, Object>> layers) {
}
