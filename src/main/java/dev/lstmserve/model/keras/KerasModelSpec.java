package dev.lstmserve.model.keras;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A Keras model file read into one neutral representation, whatever container it came in: the single chain of
 * layers from input to output, each with its config as written and its weights in Keras' order. Mappers turn it
 * into core layers; nothing here interprets a layer's config.
 *
 * @param source       the model file, as named in every refusal
 * @param format       {@link #KERAS_V3} (a {@code .keras} archive), {@link #KERAS_H5} (a full-model {@code .h5}) or
 *                     {@link #KERAS_H5_WEIGHTS_JSON} (a weights-only {@code .h5} plus a JSON config)
 * @param kerasVersion exactly as the file writes it ({@code 2.3.0-tf}, {@code 1.2.2}, {@code 3.6.0}); {@code null}
 *                     when the file records none
 * @param backend      as written ({@code tensorflow}, {@code theano}, {@code jax}); {@code null} when absent
 * @param modelClass   the top-level class: {@code Sequential}, {@code Functional} (Keras 3) or {@code Model}
 *                     (Keras 1/2 functional)
 * @param inputShape   the model's input shape without the batch axis, {@code -1} for {@code None}
 *                     ({@code [T, E]} for a sequence of vectors, {@code [T]} for token ids); {@code null} when
 *                     the config declares none
 * @param layers       the chain in order, InputLayer included where the config lists one
 */
public record KerasModelSpec(String source, String format, String kerasVersion, String backend, String modelClass,
                             int[] inputShape, List<KerasLayerSpec> layers) {

    /** A Keras 3 {@code .keras} zip: config.json, metadata.json, model.weights.h5. */
    public static final String KERAS_V3 = "keras-v3";
    /** A full-model HDF5 file: {@code model_config} attribute and {@code model_weights} group. */
    public static final String KERAS_H5 = "keras-h5";
    /** Weights-only HDF5 ({@code model.save_weights}) plus the JSON of {@code model.to_json()}. */
    public static final String KERAS_H5_WEIGHTS_JSON = "keras-h5-weights+json";

    public KerasModelSpec {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(modelClass, "modelClass");
        inputShape = inputShape == null ? null : inputShape.clone();
        layers = List.copyOf(layers);
    }

    /** The input shape, a copy, or {@code null}. */
    @Override
    public int[] inputShape() {
        return inputShape == null ? null : inputShape.clone();
    }

    /**
     * The major Keras version (1, 2 or 3) from {@link #kerasVersion()}: it decides defaults and formulas that changed
     * between versions (hard_sigmoid; Keras 1's config keys). Empty when the file records no version.
     */
    public Optional<Integer> kerasMajorVersion() {
        if (kerasVersion == null) {
            return Optional.empty();
        }
        int end = 0;
        while (end < kerasVersion.length() && Character.isDigit(kerasVersion.charAt(end))) {
            end++;
        }
        if (end == 0 || end > 3) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(kerasVersion.substring(0, end)));
    }

    /** The layer with this name. */
    public Optional<KerasLayerSpec> layer(String name) {
        return layers.stream().filter(l -> l.name().equals(name)).findFirst();
    }
}
