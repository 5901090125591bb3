package dev.lstmserve.core;

import java.util.Map;

/**
 * A layer that only acts while training and is the identity at inference, values and mask alike: Keras'
 * {@code Dropout}, {@code SpatialDropout1D}, {@code GaussianNoise}, {@code GaussianDropout}, {@code AlphaDropout}
 * ({@code keras/src/layers/regularization/}: each returns its inputs unless {@code training=True}).
 */
public final class PassThrough implements Layer {

    private final String name;
    private final String className;

    public PassThrough(String name, String className) {
        this.name = name;
        this.className = className;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String className() {
        return className;
    }

    @Override
    public Tensor call(Tensor inputs) {
        return inputs;
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        return inputShape.clone();
    }

    @Override
    public Map<String, Object> config() {
        return Map.of();
    }
}
