package dev.lstmserve.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras' {@code TimeDistributed} wrapper around a {@link Dense} layer ({@code keras/src/layers/rnn/time_distributed.py}):
 * the Dense layer applied to every step, {@code [B][T][F] -> [B][T][N]}; the mask passes on.
 */
public final class TimeDistributed implements Layer {

    private final String name;
    private final Dense layer;

    public TimeDistributed(String name, Dense layer) {
        this.name = name;
        this.layer = layer;
    }

    public Dense layer() {
        return layer;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String className() {
        return "TimeDistributed";
    }

    @Override
    public Tensor call(Tensor inputs) {
        return layer.call(Layers.sequences(this, inputs));
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        if (inputShape.length != 2) {
            throw new IllegalArgumentException("TimeDistributed layer '" + name + "' takes sequences (None, T, F);"
                    + " its input has shape " + Tensor.describe(inputShape));
        }
        return layer.outputShape(inputShape);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        Map<String, Object> inner = new LinkedHashMap<>();
        Map<String, Object> innerConfig = new LinkedHashMap<>();
        innerConfig.put("name", layer.name());
        innerConfig.putAll(layer.config());
        inner.put("class_name", layer.className());
        inner.put("config", innerConfig);
        config.put("layer", inner);
        return config;
    }

    @Override
    public List<Weight> weights() {
        return layer.weights();
    }
}
