package dev.lstmserve.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Keras {@code Embedding} layer ({@code keras/src/layers/core/embedding.py}): {@code embeddings
 * [input_dim][output_dim]}, looked up by token id, {@code [B][T] -> [B][T][E]}. With {@code mask_zero}, id 0 marks a
 * padding step that the next LSTM skips.
 *
 * <p>Immutable.
 */
public final class Embedding implements Layer {

    private final String name;
    private final int inputDim;
    private final int outputDim;
    private final boolean maskZero;
    private final float[][] embeddings;

    /**
     * @param embeddings {@code [input_dim][output_dim]}
     * @throws IllegalArgumentException naming the row whose length differs from the first
     */
    public Embedding(float[][] embeddings, boolean maskZero) {
        this("embedding", embeddings, maskZero);
    }

    /**
     * @param embeddings {@code [input_dim][output_dim]}
     * @throws IllegalArgumentException naming the row whose length differs from the first
     */
    public Embedding(String name, float[][] embeddings, boolean maskZero) {
        if (embeddings == null || embeddings.length == 0 || embeddings[0] == null || embeddings[0].length == 0) {
            throw new IllegalArgumentException("embeddings is empty; expected [input_dim][output_dim]");
        }
        this.name = name;
        this.inputDim = embeddings.length;
        this.outputDim = embeddings[0].length;
        this.maskZero = maskZero;
        Shapes.checkColumns("embeddings", embeddings, outputDim);
        this.embeddings = Shapes.copy(embeddings);
    }

    /** The vocabulary size: valid ids are {@code [0, input_dim)}. */
    public int inputDim() {
        return inputDim;
    }

    /** E, the size of one embedded step. */
    public int outputDim() {
        return outputDim;
    }

    public boolean maskZero() {
        return maskZero;
    }

    /**
     * @param tokens {@code [B][T]} ids in {@code [0, input_dim)}, already checked by the caller
     * @return {@code [B][T][E]}; rows are fresh copies
     */
    public float[][][] lookup(int[][] tokens) {
        float[][][] out = new float[tokens.length][][];
        for (int b = 0; b < tokens.length; b++) {
            out[b] = new float[tokens[b].length][];
            for (int t = 0; t < tokens[b].length; t++) {
                out[b][t] = embeddings[tokens[b][t]].clone();
            }
        }
        return out;
    }

    /**
     * The Keras mask for {@code tokens [B][T]}: {@code false} where the id is 0, when {@code mask_zero}; else
     * {@code null} (no mask).
     */
    public boolean[][] mask(int[][] tokens) {
        if (!maskZero) {
            return null;
        }
        boolean[][] mask = new boolean[tokens.length][];
        for (int b = 0; b < tokens.length; b++) {
            mask[b] = new boolean[tokens[b].length];
            for (int t = 0; t < tokens[b].length; t++) {
                mask[b][t] = tokens[b][t] != 0;
            }
        }
        return mask;
    }

    /** {@code embeddings [input_dim][output_dim]} as a fresh copy. */
    public float[][] embeddings() {
        return Shapes.copy(embeddings);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String className() {
        return "Embedding";
    }

    /**
     * @param inputs {@link Tensor.Tokens} {@code [B][T]}, ids in {@code [0, input_dim)} (checked by the caller)
     * @return {@code [B][T][E]} with Keras' mask when {@code mask_zero}
     */
    @Override
    public Tensor call(Tensor inputs) {
        if (!(inputs instanceof Tensor.Tokens tokens)) {
            throw new IllegalArgumentException("Embedding layer '" + name + "' takes token ids [batch][time]; got "
                    + Layers.kind(inputs));
        }
        return new Tensor.Sequences(lookup(tokens.ids()), mask(tokens.ids()));
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        if (inputShape.length != 1) {
            throw new IllegalArgumentException("Embedding layer '" + name + "' takes token ids (None, T); its input"
                    + " has shape " + Tensor.describe(inputShape));
        }
        return new int[] {inputShape[0], outputDim};
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("input_dim", inputDim);
        config.put("output_dim", outputDim);
        config.put("mask_zero", maskZero);
        return config;
    }

    @Override
    public List<Weight> weights() {
        return List.of(Weight.of("embeddings", embeddings));
    }
}
