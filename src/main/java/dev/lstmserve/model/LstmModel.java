package dev.lstmserve.model;

import java.util.List;

import dev.lstmserve.core.Embedding;
import dev.lstmserve.core.LstmLayer;

/**
 * A model ready to serve: an optional vocabulary and Embedding in front of one LSTM layer, and the parity samples
 * recorded with it.
 *
 * @param source       the file it was read from, or {@code classpath:...} for the embedded default
 * @param format       which reader read it, e.g. {@code lstm-serve-json}
 * @param kerasVersion the Keras version recorded in the file, or {@code null}
 * @param vocabulary   the word of each token id, or {@code null}
 * @param embedding    looks up token ids, or {@code null} for a model that takes embedded inputs only
 */
public record LstmModel(String name, String source, String format, String kerasVersion, Vocabulary vocabulary,
                        Embedding embedding, LstmLayer lstm, List<ParitySample> parity) {

    public LstmModel {
        parity = List.copyOf(parity);
    }

    /** E, the size of one input step the LSTM takes. */
    public int inputSize() {
        return lstm.weights().inputSize();
    }

    /** H, the LSTM's units. */
    public int units() {
        return lstm.weights().units();
    }
}
