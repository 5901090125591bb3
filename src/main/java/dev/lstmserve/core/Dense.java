package dev.lstmserve.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras' {@code Dense} layer ({@code keras/src/layers/core/dense.py}): {@code activation(x · kernel + bias)} on the
 * last axis, so {@code [B][F] -> [B][N]} and {@code [B][T][F] -> [B][T][N]} (the mask passes on). Every output row is
 * accumulated over F in the same order whatever else is in the batch.
 */
public final class Dense implements Layer {

    private final String name;
    private final float[][] kernel;
    private final float[] bias;
    private final Activation activation;

    /**
     * @param kernel {@code [F][N]}
     * @param bias   {@code [N]}, or {@code null} for {@code use_bias=False}
     * @throws IllegalArgumentException naming the array whose shape does not fit
     */
    public Dense(String name, float[][] kernel, float[] bias, Activation activation) {
        if (kernel == null || kernel.length == 0 || kernel[0] == null || kernel[0].length == 0) {
            throw new IllegalArgumentException("Dense layer '" + name + "': kernel is empty; expected [input][units]");
        }
        int units = kernel[0].length;
        Shapes.checkColumns("kernel", kernel, units);
        if (bias != null && bias.length != units) {
            throw new IllegalArgumentException("Dense layer '" + name + "': bias has " + bias.length
                    + " values; expected " + units + " (kernel [" + kernel.length + "][" + units + "])");
        }
        this.name = name;
        this.kernel = Shapes.copy(kernel);
        this.bias = bias == null ? null : bias.clone();
        this.activation = activation;
    }

    public int units() {
        return kernel[0].length;
    }

    public int inputSize() {
        return kernel.length;
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
        return "Dense";
    }

    @Override
    public Tensor call(Tensor inputs) {
        if (inputs instanceof Tensor.Vectors vectors) {
            return new Tensor.Vectors(apply(vectors.values(), "inputs"));
        }
        Tensor.Sequences sequences = Layers.sequences(this, inputs);
        float[][][] values = sequences.values();
        float[][][] out = new float[values.length][][];
        for (int b = 0; b < values.length; b++) {
            out[b] = apply(values[b], "inputs[" + b + "]");
        }
        return new Tensor.Sequences(out, sequences.mask());
    }

    /** {@code rows [R][F] -> [R][N]}. */
    float[][] apply(float[][] rows, String what) {
        int units = units();
        float[][] out = new float[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            if (rows[r].length != kernel.length) {
                throw new IllegalArgumentException("Dense layer '" + name + "' takes " + kernel.length
                        + " features; " + what + "[" + r + "] has " + rows[r].length);
            }
            out[r] = bias == null ? new float[units] : bias.clone();
        }
        MatMul.accumulate(rows, kernel, out);
        for (float[] row : out) {
            activation.applyToRow(row, 0, units);
        }
        return out;
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        int features = inputShape.length == 0 ? -2 : inputShape[inputShape.length - 1];
        if (inputShape.length == 0 || inputShape.length > 2 || (features >= 0 && features != kernel.length)) {
            throw new IllegalArgumentException("Dense layer '" + name + "' has a kernel for " + kernel.length
                    + " input features; its input has shape " + Tensor.describe(inputShape));
        }
        int[] out = inputShape.clone();
        out[out.length - 1] = units();
        return out;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("units", units());
        config.put("activation", activation.kerasName());
        config.put("use_bias", bias != null);
        return config;
    }

    @Override
    public List<Weight> weights() {
        return bias == null ? List.of(Weight.of("kernel", kernel))
                : List.of(Weight.of("kernel", kernel), Weight.of("bias", bias));
    }
}
