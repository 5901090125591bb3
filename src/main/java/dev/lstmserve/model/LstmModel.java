package dev.lstmserve.model;

import java.util.List;

import dev.lstmserve.core.Activation;
import dev.lstmserve.core.ActivationLayer;
import dev.lstmserve.core.Bidirectional;
import dev.lstmserve.core.Dense;
import dev.lstmserve.core.Flatten;
import dev.lstmserve.core.Layer;
import dev.lstmserve.core.TimeDistributed;
import dev.lstmserve.core.Embedding;
import dev.lstmserve.core.Lstm;
import dev.lstmserve.core.LstmLayer;
import dev.lstmserve.core.RecurrentLayer;
import dev.lstmserve.core.Sequential;

/**
 * A model ready to serve: its layers, an optional vocabulary, and the parity samples recorded with it.
 *
 * @param source       the file it was read from, or {@code classpath:...} for the embedded default
 * @param format       which reader read it, e.g. {@code lstm-serve-json}, {@code keras-v3}, {@code keras-h5}
 * @param kerasVersion the Keras version exactly as the file records it (e.g. {@code 2.3.0-tf}), or {@code null}
 * @param backend      the Keras backend the file records (e.g. {@code tensorflow}), or {@code null}
 * @param vocabulary   tokenises {@code text} and names {@code top_k} ids (a word list or Keras' Tokenizer), or
 *                     {@code null}; ids it gives beyond the Embedding's input_dim are refused per request
 * @param network      the layers, at least one of them recurrent
 */
public record LstmModel(String name, String source, String format, String kerasVersion, String backend,
                        TextVocabulary vocabulary, Sequential network, List<ParitySample> parity) {

    /**
     * @throws IllegalArgumentException when the network has no recurrent layer, or a vocabulary does not match the
     *                                  Embedding
     */
    public LstmModel {
        parity = List.copyOf(parity);
        if (network.lastRecurrentIndex() < 0) {
            throw new IllegalArgumentException("the model has no LSTM layer (layers: " + network.layers().stream()
                    .map(layer -> layer.className()).toList() + "); lstm-serve serves recurrent models");
        }
        Embedding embedding = network.layers().get(0) instanceof Embedding e ? e : null;
        if (vocabulary != null && embedding == null) {
            throw new IllegalArgumentException("a vocabulary needs a model whose first layer is an Embedding");
        }
    }

    /** The Embedding that token ids go through (the first layer), or {@code null} for a model that takes inputs. */
    public Embedding embedding() {
        return network.layers().get(0) instanceof Embedding embedding ? embedding : null;
    }

    /** The index of the layer that {@code /lstm/forward} returns by default: the last recurrent layer. */
    public int forwardLayerIndex() {
        return network.lastRecurrentIndex();
    }

    /** The layer that {@code /lstm/forward} returns by default: the last recurrent layer. */
    public RecurrentLayer forwardLayer() {
        return (RecurrentLayer) network.layers().get(forwardLayerIndex());
    }

    /** The LSTM engine of {@link #forwardLayer()} (its forward direction for a Bidirectional layer). */
    public LstmLayer lstm() {
        RecurrentLayer layer = forwardLayer();
        return layer instanceof Bidirectional bidirectional ? bidirectional.forwardLayer().engine()
                : ((Lstm) layer).engine();
    }

    /** E, the size of one step of {@code inputs}: what the first layer after the Embedding takes. */
    public int inputSize() {
        int first = embedding() == null ? 0 : 1;
        return network.inputShape(first)[1];
    }

    /** H of {@link #forwardLayer()}. */
    public int units() {
        return forwardLayer().units();
    }

    /**
     * The window length every request must have, or -1 for any: a model with a {@link Flatten} layer takes only the
     * length its input shape declares (its Dense kernel fixes it).
     */
    public int requiredSteps() {
        boolean flatten = network.layers().stream().anyMatch(layer -> layer instanceof Flatten);
        return flatten ? network.inputShape()[0] : -1;
    }

    /**
     * The activation of the last layer's output (Dense, TimeDistributed(Dense) or Activation), or {@code null} when
     * the last layer has none of its own: {@code softmax} makes {@code top_k} meaningful.
     */
    public Activation outputActivation() {
        Layer last = network.layers().get(network.layers().size() - 1);
        if (last instanceof Dense dense) {
            return dense.activation();
        }
        if (last instanceof TimeDistributed timeDistributed) {
            return timeDistributed.layer().activation();
        }
        if (last instanceof ActivationLayer activation) {
            return activation.activation();
        }
        return null;
    }
}
