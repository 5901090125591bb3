package dev.lstmserve.model.keras;

import java.util.List;
import java.util.Objects;

import tools.jackson.databind.JsonNode;

/**
 * One layer of a Keras model as its file describes it, before any mapping to core classes.
 *
 * @param className the Keras class as written ({@code LSTM}, {@code Bidirectional}, {@code TimeDistributed},
 *                  {@code Dense}, {@code RNN}, {@code InputLayer}, {@code GRU}, ...)
 * @param name      the layer's name ({@code lstm_1})
 * @param config    the layer's {@code config} object exactly as written (Keras 1 keys such as {@code output_dim}
 *                  and {@code inner_activation}; Keras 2 keys; Keras 3 dtype-policy objects; a wrapper's inner
 *                  layer under {@code layer}); never modified
 * @param weights   the layer's weights in Keras' own order ({@code layer.weights}): LSTM kernel, recurrent_kernel,
 *                  bias; Keras 1 LSTM its 12 arrays as stored ({@code W_i, U_i, b_i, W_c, ...}) or 3 with
 *                  {@code consume_less="gpu"}; Bidirectional the forward layer's then the backward layer's;
 *                  TimeDistributed the inner layer's; Embedding embeddings; Dense kernel, bias; empty for layers
 *                  without weights
 */
public record KerasLayerSpec(String className, String name, JsonNode config, List<KerasWeight> weights) {

    public KerasLayerSpec {
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(config, "config");
        weights = List.copyOf(weights);
    }

    /** {@code "'lstm_1' (LSTM)"}: how refusals name a layer. */
    public String describe() {
        return "'" + name + "' (" + className + ")";
    }

    /** A config field, or {@code null} when absent. */
    public JsonNode option(String field) {
        JsonNode value = config.get(field);
        return value == null || value.isMissingNode() ? null : value;
    }
}
