package dev.lstmserve.core;

import java.util.Map;

/**
 * Keras' {@code Flatten} layer ({@code keras/src/layers/reshaping/flatten.py}): {@code [B][T][F] -> [B][T·F]}, step
 * after step (row-major, as numpy reshapes). A mask does not pass a Flatten.
 */
public final class Flatten implements Layer {

    private final String name;

    public Flatten(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String className() {
        return "Flatten";
    }

    @Override
    public Tensor call(Tensor inputs) {
        if (inputs instanceof Tensor.Vectors vectors) {
            return vectors;
        }
        Tensor.Sequences sequences = Layers.sequences(this, inputs);
        int steps = sequences.steps();
        int features = sequences.features();
        float[][] out = new float[sequences.batch()][steps * features];
        for (int b = 0; b < out.length; b++) {
            for (int t = 0; t < steps; t++) {
                System.arraycopy(sequences.values()[b][t], 0, out[b], t * features, features);
            }
        }
        return new Tensor.Vectors(out);
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        int size = 1;
        for (int dim : inputShape) {
            if (dim < 0) {
                return new int[] {-1};
            }
            size *= dim;
        }
        return new int[] {size};
    }

    @Override
    public Map<String, Object> config() {
        return Map.of();
    }
}
