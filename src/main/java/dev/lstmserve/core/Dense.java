package dev.lstmserve.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras' {@code Dense} layer ({@code keras/src/layers/core/dense.py}): {@code activation(x · kernel + bias)} on the
 * last axis, so {@code [B][F] -> [B][N]} and {@code [B][T][F] -> [B][T][N]} (the mask passes on), on the engine's
 * {@link Gemm} (all B·T rows of a sequence input in one product): every output row is accumulated over F in the same
 * order whatever else is in the batch.
 */
public final class Dense implements Layer {

    private final String name;
    private final float[][] kernel;
    private final float[] bias;
    private final Activation activation;
    private final Gemm gemm;

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
        this.gemm = Gemm.of(kernel, bias);
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
        int rows = 0;
        for (float[][] window : values) {
            rows += window.length;
        }
        float[][] flat = new float[rows][];
        int r = 0;
        for (int b = 0; b < values.length; b++) {
            for (int t = 0; t < values[b].length; t++) {
                flat[r++] = check(values[b][t], "inputs[" + b + "][" + t + "]");
            }
        }
        float[][] products = multiply(flat);
        float[][][] out = new float[values.length][][];
        r = 0;
        for (int b = 0; b < values.length; b++) {
            out[b] = java.util.Arrays.copyOfRange(products, r, r + values[b].length);
            r += values[b].length;
        }
        return new Tensor.Sequences(out, sequences.mask());
    }

    /** {@code rows [R][F] -> [R][N]}. */
    float[][] apply(float[][] rows, String what) {
        for (int r = 0; r < rows.length; r++) {
            check(rows[r], what + "[" + r + "]");
        }
        return multiply(rows);
    }

    private float[] check(float[] row, String what) {
        if (row.length != kernel.length) {
            throw new IllegalArgumentException("Dense layer '" + name + "' takes " + kernel.length
                    + " features; " + what + " has " + row.length);
        }
        return row;
    }

    private float[][] multiply(float[][] rows) {
        if (rows.length == 0) {
            return new float[0][];
        }
        float[][] out = gemm.multiply(rows);
        for (float[] row : out) {
            activation.applyToRow(row, 0, out[0].length);
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
