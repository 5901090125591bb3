package dev.lstmserve.core;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras' {@code Activation} layer ({@code keras/src/layers/activations/activation.py}): an activation by name on
 * every value (softmax and log_softmax on the last axis). Shape and mask pass on.
 */
public final class ActivationLayer implements Layer {

    private final String name;
    private final Activation activation;

    public ActivationLayer(String name, Activation activation) {
        this.name = name;
        this.activation = activation;
    }

    public Activation activation() {
        return activation;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String className() {
        return "Activation";
    }

    @Override
    public Tensor call(Tensor inputs) {
        if (inputs instanceof Tensor.Vectors vectors) {
            return new Tensor.Vectors(apply(vectors.values()));
        }
        Tensor.Sequences sequences = Layers.sequences(this, inputs);
        float[][][] out = new float[sequences.batch()][][];
        for (int b = 0; b < out.length; b++) {
            out[b] = apply(sequences.values()[b]);
        }
        return new Tensor.Sequences(out, sequences.mask());
    }

    private float[][] apply(float[][] rows) {
        float[][] out = new float[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            out[r] = rows[r].clone();
            activation.applyToRow(out[r], 0, out[r].length);
        }
        return out;
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        return inputShape.clone();
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("activation", activation.kerasName());
        return config;
    }
}
