package dev.lstmserve.core;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras' {@code Masking} layer ({@code keras/src/layers/core/masking.py}): a step whose features all equal
 * {@code mask_value} is masked, and its values become 0 ({@code inputs * any(inputs != mask_value)}); the new mask
 * replaces any mask the inputs carried.
 */
public final class Masking implements Layer {

    private final String name;
    private final float maskValue;

    public Masking(String name, float maskValue) {
        this.name = name;
        this.maskValue = maskValue;
    }

    public float maskValue() {
        return maskValue;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String className() {
        return "Masking";
    }

    @Override
    public Tensor call(Tensor inputs) {
        Tensor.Sequences sequences = Layers.sequences(this, inputs);
        float[][][] values = sequences.values();
        float[][][] out = new float[values.length][][];
        boolean[][] mask = new boolean[values.length][];
        for (int b = 0; b < values.length; b++) {
            out[b] = new float[values[b].length][];
            mask[b] = new boolean[values[b].length];
            for (int t = 0; t < values[b].length; t++) {
                float[] step = values[b][t];
                boolean kept = false;
                for (float v : step) {
                    // != as numpy's not_equal: a NaN feature never equals mask_value, so it keeps the step.
                    if (v != maskValue) {
                        kept = true;
                        break;
                    }
                }
                mask[b][t] = kept;
                out[b][t] = kept ? step : new float[step.length];
            }
        }
        return new Tensor.Sequences(out, mask);
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        if (inputShape.length != 2) {
            throw new IllegalArgumentException("Masking layer '" + name + "' takes sequences (None, T, F); its input"
                    + " has shape " + Tensor.describe(inputShape));
        }
        return inputShape.clone();
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("mask_value", maskValue);
        return config;
    }
}
