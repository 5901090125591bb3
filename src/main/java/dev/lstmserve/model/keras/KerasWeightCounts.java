package dev.lstmserve.model.keras;

import java.util.OptionalInt;
import java.util.Set;

import tools.jackson.databind.JsonNode;

/**
 * How many weight arrays Keras gives a layer of a known class ({@code len(layer.weights)}), so a file whose weights
 * disagree with its config is refused by the reader with both counts, before any mapper looks at shapes. Classes not
 * listed here are not checked (their mappers refuse them anyway).
 */
final class KerasWeightCounts {

    /** Layers that have no weights in any Keras version. */
    private static final Set<String> WEIGHTLESS = Set.of("InputLayer", "Dropout", "SpatialDropout1D",
            "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise", "GaussianDropout", "AlphaDropout", "Flatten",
            "Activation", "Masking", "Reshape", "Permute", "RepeatVector");

    private KerasWeightCounts() {
    }

    /**
     * @param kerasMajor 1 for Keras 1 configs (their keys: {@code output_dim}, {@code consume_less}, {@code bias}),
     *                   otherwise 2 or 3
     */
    static OptionalInt expected(String className, JsonNode config, int kerasMajor) {
        if (WEIGHTLESS.contains(className)) {
            return OptionalInt.of(0);
        }
        switch (className) {
            case "Embedding":
                return OptionalInt.of(1);
            case "Dense":
                return OptionalInt.of(flag(config, kerasMajor == 1 ? "bias" : "use_bias") ? 2 : 1);
            case "LSTM", "GRU", "SimpleRNN", "LSTMCell", "GRUCell", "SimpleRNNCell":
                if (kerasMajor == 1) {
                    // Keras 1.2 recurrent.py: consume_less="gpu" keeps W, U, b; otherwise one W, U, b per gate.
                    boolean gpu = "gpu".equals(KerasModelConfig.text(config.get("consume_less")));
                    int gates = switch (className) {
                        case "LSTM" -> 4;
                        case "GRU" -> 3;
                        default -> 1;
                    };
                    return OptionalInt.of(gpu ? 3 : 3 * gates);
                }
                return OptionalInt.of(flag(config, "use_bias") ? 3 : 2);
            case "RNN": {
                JsonNode cell = config.get("cell");
                if (cell != null && cell.isObject() && cell.has("class_name")) {
                    return expected(cell.get("class_name").asString(), cell.path("config"), kerasMajor);
                }
                return OptionalInt.empty();
            }
            case "Bidirectional": {
                OptionalInt forward = inner(config.get("layer"), kerasMajor);
                JsonNode backwardConfig = config.get("backward_layer");
                OptionalInt backward = backwardConfig != null && backwardConfig.isObject() ? inner(backwardConfig, kerasMajor) : forward;
                return forward.isPresent() && backward.isPresent()
                        ? OptionalInt.of(forward.getAsInt() + backward.getAsInt()) : OptionalInt.empty();
            }
            case "TimeDistributed":
                return inner(config.get("layer"), kerasMajor);
            default:
                return OptionalInt.empty();
        }
    }

    private static OptionalInt inner(JsonNode layer, int kerasMajor) {
        if (layer == null || !layer.isObject() || !layer.has("class_name")) {
            return OptionalInt.empty();
        }
        return expected(layer.get("class_name").asString(), layer.path("config"), kerasMajor);
    }

    /** A boolean option, true when absent (Keras' default for use_bias and Keras 1's bias). */
    private static boolean flag(JsonNode config, String key) {
        JsonNode value = config.get(key);
        return value == null || value.isNull() || value.asBoolean(true);
    }
}
