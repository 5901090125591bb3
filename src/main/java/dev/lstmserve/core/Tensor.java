package dev.lstmserve.core;

import java.util.Arrays;

/**
 * What flows from one layer to the next, batch first like Keras: token ids {@code [B][T]} (into an Embedding),
 * sequences {@code [B][T][F]} with Keras' mask {@code [B][T]}, or vectors {@code [B][F]}.
 *
 * <p>The arrays are shared, not copied: a layer never writes to its input, and whoever receives an output owns it.
 */
public sealed interface Tensor permits Tensor.Tokens, Tensor.Sequences, Tensor.Vectors {

    /** B, the number of samples. */
    int batch();

    /** The shape without the batch axis, as Keras prints it: {@code [T]}, {@code [T, F]} or {@code [F]}. */
    int[] shape();

    /**
     * Token ids into an Embedding.
     *
     * @param ids {@code [B][T]}, every window the same length
     */
    record Tokens(int[][] ids) implements Tensor {

        @Override
        public int batch() {
            return ids.length;
        }

        @Override
        public int[] shape() {
            return new int[] {ids[0].length};
        }
    }

    /**
     * A batch of sequences and the Keras mask that travels with them ({@code keras/src/layers/layer.py}
     * {@code compute_mask}).
     *
     * @param values {@code [B][T][F]}, every window the same length and every step the same size
     * @param mask   {@code [B][T]}, {@code false} where a step is masked; {@code null} when nothing is masked
     */
    record Sequences(float[][][] values, boolean[][] mask) implements Tensor {

        @Override
        public int batch() {
            return values.length;
        }

        @Override
        public int[] shape() {
            return new int[] {values[0].length, values[0][0].length};
        }

        /** T, the window length. */
        public int steps() {
            return values[0].length;
        }

        /** F, the size of one step. */
        public int features() {
            return values[0][0].length;
        }

        /** The same values without a mask. */
        public Sequences unmasked() {
            return mask == null ? this : new Sequences(values, null);
        }
    }

    /**
     * A batch of vectors.
     *
     * @param values {@code [B][F]}
     */
    record Vectors(float[][] values) implements Tensor {

        @Override
        public int batch() {
            return values.length;
        }

        @Override
        public int[] shape() {
            return new int[] {values[0].length};
        }
    }

    /** The values as Keras returns them: {@code float[B][T][F]}, {@code float[B][F]} or {@code int[B][T]}. */
    default Object values() {
        if (this instanceof Sequences s) {
            return s.values();
        }
        if (this instanceof Vectors v) {
            return v.values();
        }
        return ((Tokens) this).ids();
    }

    /** {@code [T, F]} as {@code "(None, T, F)"}, the way Keras prints a shape with its batch axis. */
    static String describe(int[] shapeWithoutBatch) {
        StringBuilder s = new StringBuilder("(None");
        for (int dim : shapeWithoutBatch) {
            s.append(", ").append(dim < 0 ? "None" : String.valueOf(dim));
        }
        return s.append(')').toString();
    }

    /** Whether two shapes without batch agree, where -1 (Keras' None) matches any size. */
    static boolean compatible(int[] a, int[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i] >= 0 && b[i] >= 0 && a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    /** {@code Arrays.toString} for shapes in messages. */
    static String toString(int[] shape) {
        return Arrays.toString(shape);
    }
}
