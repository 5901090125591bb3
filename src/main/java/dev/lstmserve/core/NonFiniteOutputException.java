package dev.lstmserve.core;

/**
 * A layer's output left float32: a value overflowed to ±Infinity or became NaN (e.g. an unbounded relu LSTM whose
 * state grows every step; Keras computes the same overflow). JSON has no number for such a value, so the service
 * answers with this instead of the outputs.
 */
public class NonFiniteOutputException extends RuntimeException {

    private final String layer;
    private final int row;
    private final int step;
    private final float value;

    /**
     * @param step the step in the layer's output sequence, or -1 when the output has no time axis
     */
    public NonFiniteOutputException(String layer, String className, int row, int step, float value) {
        super("the outputs of " + className + " layer '" + layer + "' left float32 at row " + row
                + (step < 0 ? "" : ", step " + step) + " (" + value + "): the values grew beyond ±3.4e38, as Keras'"
                + " float32 computation does for these inputs");
        this.layer = layer;
        this.row = row;
        this.step = step;
        this.value = value;
    }

    public String layer() {
        return layer;
    }

    public int row() {
        return row;
    }

    /** The step in the layer's output sequence, or -1 when the output has no time axis. */
    public int step() {
        return step;
    }

    public float value() {
        return value;
    }

    /** Throws for the first non-finite value of a recurrent layer's final states (c can grow while h stays bounded). */
    static void check(Layer layer, java.util.List<LstmState> states) {
        for (LstmState state : states) {
            for (float[][] tensor : new float[][][] {state.h(), state.c()}) {
                for (int b = 0; b < tensor.length; b++) {
                    for (float v : tensor[b]) {
                        if (!Float.isFinite(v)) {
                            throw new NonFiniteOutputException(layer.name(), layer.className(), b, -1, v);
                        }
                    }
                }
            }
        }
    }

    /** Throws for the first non-finite value of {@code outputs}, in row, then step order. */
    static void check(Layer layer, Tensor outputs) {
        if (outputs instanceof Tensor.Sequences sequences) {
            float[][][] values = sequences.values();
            for (int b = 0; b < values.length; b++) {
                for (int t = 0; t < values[b].length; t++) {
                    for (float v : values[b][t]) {
                        if (!Float.isFinite(v)) {
                            throw new NonFiniteOutputException(layer.name(), layer.className(), b, t, v);
                        }
                    }
                }
            }
        } else if (outputs instanceof Tensor.Vectors vectors) {
            float[][] values = vectors.values();
            for (int b = 0; b < values.length; b++) {
                for (float v : values[b]) {
                    if (!Float.isFinite(v)) {
                        throw new NonFiniteOutputException(layer.name(), layer.className(), b, -1, v);
                    }
                }
            }
        }
    }
}
