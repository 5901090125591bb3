package dev.lstmserve.core;

/** Checks and small array operations the layer classes share. */
final class Layers {

    private Layers() {
    }

    /** {@code inputs} as sequences, or an error naming the layer and what it got. */
    static Tensor.Sequences sequences(Layer layer, Tensor inputs) {
        if (inputs instanceof Tensor.Sequences sequences) {
            return sequences;
        }
        throw new IllegalArgumentException(layer.className() + " layer '" + layer.name()
                + "' takes sequences [batch][time][features]; got " + kind(inputs));
    }

    static String kind(Tensor tensor) {
        if (tensor instanceof Tensor.Tokens) {
            return "token ids [batch][time]";
        }
        return (tensor instanceof Tensor.Vectors ? "vectors " : "sequences ") + Tensor.describe(tensor.shape());
    }

    /** Checks that a shape is {@code [T, features]}. */
    static void checkSequenceShape(Layer layer, int[] inputShape, int features, String weight) {
        if (inputShape.length != 2) {
            throw new IllegalArgumentException(layer.className() + " layer '" + layer.name()
                    + "' takes sequences (None, T, " + features + "); its input has shape "
                    + Tensor.describe(inputShape));
        }
        if (inputShape[1] >= 0 && inputShape[1] != features) {
            throw new IllegalArgumentException(layer.className() + " layer '" + layer.name() + "' has a " + weight
                    + " for " + features + " input features; its input has shape " + Tensor.describe(inputShape));
        }
    }

    /** The last step of every row: {@code [B][T][F] -> [B][F]} (shares the rows). */
    static float[][] lastStep(float[][][] values) {
        float[][] last = new float[values.length][];
        for (int b = 0; b < values.length; b++) {
            last[b] = values[b][values[b].length - 1];
        }
        return last;
    }

    /** {@code [B][T][F]} with the time axis reversed (shares the rows). */
    static float[][][] reverseTime(float[][][] values) {
        float[][][] reversed = new float[values.length][][];
        for (int b = 0; b < values.length; b++) {
            int steps = values[b].length;
            reversed[b] = new float[steps][];
            for (int t = 0; t < steps; t++) {
                reversed[b][t] = values[b][steps - 1 - t];
            }
        }
        return reversed;
    }
}
