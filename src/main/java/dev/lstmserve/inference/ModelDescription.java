package dev.lstmserve.inference;

import java.util.List;
import java.util.Map;

/**
 * What is being served, for {@code GET /lstm/model}.
 *
 * @param kerasVersion   the Keras version exactly as the file records it ({@code 2.3.0-tf}), or {@code null}
 * @param backend        the Keras backend the file records, or {@code null}
 * @param vocabulary     the word of each token id, or {@code null} for a model without one
 * @param vocabularySize the Embedding's input_dim (valid token ids are {@code [0, vocabulary_size)}), or
 *                       {@code null} without an Embedding
 * @param embeddingSize  the Embedding's output_dim, or {@code null} without an Embedding
 * @param inputSize      E, the features of one step of {@code inputs}
 * @param units          H of the forward layer (the layer {@code /lstm/forward} returns)
 * @param activation     the forward layer's LSTM activation (its forward direction's, for a Bidirectional layer)
 * @param forwardLayer   the name of the layer {@code /lstm/forward} returns by default: the last recurrent layer
 * @param states         every (h, c) pair a full run carries, in the order {@code initial_states} and
 *                       {@code states} list them
 * @param layers         the layers in order: class_name, name, input and output shapes (Keras' notation), config
 */
public record ModelDescription(String name, String source, String format, String kerasVersion, String backend,
                               List<String> vocabulary, Integer vocabularySize, Integer embeddingSize, int inputSize,
                               int units, String activation, String recurrentActivation, boolean useBias,
                               boolean goBackwards, boolean maskZero, String forwardLayer,
                               List<Map<String, Object>> states, int paritySamples,
                               List<Map<String, Object>> layers) {
}
