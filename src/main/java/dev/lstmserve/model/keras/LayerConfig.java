package dev.lstmserve.model.keras;

import java.util.Arrays;

import dev.lstmserve.core.Activation;
import dev.lstmserve.model.KerasVersion;
import tools.jackson.databind.JsonNode;

/**
 * One layer's config as a mapper reads it: fields by their Keras 2/3 name or Keras 1's ({@code units} /
 * {@code output_dim}), activations by name with the file's Keras version, and every refusal naming the file, the
 * layer and the field.
 */
final class LayerConfig {

    private final KerasLayerSpec layer;
    private final JsonNode config;
    private final KerasVersion version;
    private final String source;

    LayerConfig(KerasLayerSpec layer, JsonNode config, KerasVersion version, String source) {
        this.layer = layer;
        this.config = config;
        this.version = version;
        this.source = source;
    }

    KerasLayerSpec layer() {
        return layer;
    }

    KerasVersion version() {
        return version;
    }

    String source() {
        return source;
    }

    /** A refusal naming the file, the layer and the reason. */
    MappingException refuse(String reason) {
        return new MappingException(layer.describe() + ": " + reason);
    }

    /** The first of {@code names} the config has, or {@code null}. */
    JsonNode field(String... names) {
        for (String name : names) {
            JsonNode value = config.get(name);
            if (value != null && !value.isMissingNode()) {
                return value;
            }
        }
        return null;
    }

    int integer(String... names) {
        JsonNode value = field(names);
        if (value == null || !value.canConvertToInt() || !value.isIntegralNumber()) {
            throw refuse(names[0] + " = " + value + " is not an integer" + (value == null ? " (missing)" : ""));
        }
        return value.intValue();
    }

    boolean bool(boolean fallback, String... names) {
        JsonNode value = field(names);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw refuse(names[0] + " = " + value + " is not true or false");
        }
        return value.booleanValue();
    }

    String string(String fallback, String... names) {
        JsonNode value = field(names);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isString()) {
            throw refuse(names[0] + " = " + value + " is not a string");
        }
        return value.asString();
    }

    /**
     * The activation a field names, as the file's Keras version means it ({@code hard_sigmoid} differs between Keras 2
     * and 3). A Keras 3 config may serialise a built-in activation as {@code {"module": "keras.activations",
     * "class_name": "function", "config": "tanh"}}; any other object is a custom function and is refused.
     *
     * @param fallback the Keras default for this version when the field is absent, or {@code null} when it must be
     *                 given
     */
    Activation activation(String fallback, String... names) {
        JsonNode value = field(names);
        String name;
        if (value == null || value.isNull()) {
            if (fallback == null) {
                throw refuse(names[0] + " is missing");
            }
            name = fallback;
        } else if (value.isString()) {
            name = value.asString();
        } else if (value.isObject() && value.path("config").isString()
                && value.path("module").asString("keras.activations").startsWith("keras")) {
            name = value.path("config").asString();
        } else {
            throw refuse(names[0] + " = " + value + " is a custom activation; only Keras' built-in activations by"
                    + " name are servable");
        }
        if (!version.known() && name.strip().equalsIgnoreCase("hard_sigmoid")) {
            throw refuse(names[0] + " = hard_sigmoid, whose formula changed in Keras 3 (0.2x + 0.5 before, x/6 + 0.5"
                    + " since), and the file records no keras_version to tell which");
        }
        try {
            return Activation.byKerasName(name, version.major());
        } catch (IllegalArgumentException e) {
            throw refuse(names[0] + ": " + e.getMessage());
        }
    }

    /** The layer's weight {@code index}, checked to have {@code shape}. */
    KerasWeight weight(int index, String what, int... shape) {
        KerasWeight weight = layer.weights().get(index);
        if (!Arrays.equals(weight.shape(), shape)) {
            throw refuse("weight " + index + " '" + weight.name() + "' (" + what + ") has shape "
                    + Arrays.toString(weight.shape()) + "; the config needs " + Arrays.toString(shape));
        }
        return weight;
    }

    /** Checks the layer has {@code count} weights. */
    void expectWeights(String what, int... counts) {
        int n = layer.weights().size();
        for (int count : counts) {
            if (n == count) {
                return;
            }
        }
        throw refuse("has " + n + " weight arrays; expected " + what);
    }

    /** A refusal a mapper throws; {@link KerasModelMapper} adds the file. */
    static final class MappingException extends RuntimeException {
        MappingException(String message) {
            super(message);
        }
    }
}
