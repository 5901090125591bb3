package dev.lstmserve.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Keras' {@code Bidirectional} wrapper around an LSTM ({@code keras/src/layers/rnn/bidirectional.py}): the forward
 * layer and the backward layer (the same config with {@code go_backwards} flipped, its own weights) both read the
 * inputs; with {@code return_sequences} the backward layer's outputs are reversed in time so step t of both lines up;
 * then the two are merged. States: forward (h, c), then backward (h, c), as Keras' {@code return_state} lists them.
 * The mask passes on with {@code return_sequences}. Under {@code zeroOutputForMask} (tf.keras and Keras 3 force it on
 * both directions when the wrapper returns sequences: {@code force_zero_output_for_mask}) a masked step of the
 * sequences is zeros instead of the previous output; the last output (return_sequences=False, where Keras does not
 * force it) is each direction's last unmasked output either way.
 */
public final class Bidirectional implements RecurrentLayer {

    /** Keras' {@code merge_mode}; {@code None} (a list of two outputs) is not servable. */
    public enum MergeMode {
        /** {@code [forward, backward]} on the last axis (Keras' default). */
        CONCAT,
        SUM,
        MUL,
        /** {@code (forward + backward) / 2}. */
        AVE;

        public String kerasName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * @throws IllegalArgumentException for any other name, and for {@code null} (Keras' None: two outputs)
         */
        public static MergeMode byKerasName(String name) {
            if (name == null) {
                throw new IllegalArgumentException("merge_mode None returns the two directions as two outputs;"
                        + " a servable model has one output");
            }
            for (MergeMode mode : values()) {
                if (mode.kerasName().equals(name)) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("merge_mode '" + name + "' is not one of concat, sum, mul, ave");
        }
    }

    private final String name;
    private final Lstm forwardLayer;
    private final Lstm backwardLayer;
    private final MergeMode mergeMode;
    private final boolean returnSequences;
    private final boolean zeroOutputForMask;

    /**
     * @param forwardLayer      the wrapped layer as configured
     * @param backwardLayer     the same config with {@code go_backwards} flipped and the backward weights
     * @param zeroOutputForMask masked steps of the sequences are zeros (tf.keras, Keras 3), not the previous output
     *                          (multi-backend Keras 2.x, Keras 1)
     * @throws IllegalArgumentException when the two directions' sizes or return_sequences differ
     */
    public Bidirectional(String name, Lstm forwardLayer, Lstm backwardLayer, MergeMode mergeMode,
                         boolean zeroOutputForMask) {
        if (forwardLayer.units() != backwardLayer.units()
                || forwardLayer.engine().weights().inputSize() != backwardLayer.engine().weights().inputSize()) {
            throw new IllegalArgumentException("Bidirectional layer '" + name + "': the forward and backward layers"
                    + " differ in size");
        }
        if (forwardLayer.returnSequences() != backwardLayer.returnSequences()) {
            throw new IllegalArgumentException("Bidirectional layer '" + name + "': the forward and backward layers"
                    + " differ in return_sequences");
        }
        this.name = name;
        this.forwardLayer = forwardLayer;
        this.backwardLayer = backwardLayer;
        this.mergeMode = mergeMode;
        this.returnSequences = forwardLayer.returnSequences();
        this.zeroOutputForMask = zeroOutputForMask;
    }

    public Lstm forwardLayer() {
        return forwardLayer;
    }

    public Lstm backwardLayer() {
        return backwardLayer;
    }

    public MergeMode mergeMode() {
        return mergeMode;
    }

    /** Whether masked steps of the sequences are zeros (tf.keras, Keras 3) rather than the previous output. */
    public boolean zeroOutputForMask() {
        return zeroOutputForMask;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String className() {
        return "Bidirectional";
    }

    @Override
    public int stateCount() {
        return 2;
    }

    @Override
    public int units() {
        return forwardLayer.units();
    }

    /** The size of one merged output step: 2H for concat, H otherwise. */
    public int outputUnits() {
        return mergeMode == MergeMode.CONCAT ? 2 * units() : units();
    }

    @Override
    public boolean returnSequences() {
        return returnSequences;
    }

    @Override
    public RecurrentOutput forward(Tensor.Sequences inputs, List<LstmState> initialStates) {
        if (initialStates != null && initialStates.size() != 0 && initialStates.size() != 2) {
            throw new IllegalArgumentException("Bidirectional layer '" + name + "' takes 2 initial states (forward"
                    + " h, c and backward h, c); got " + initialStates.size());
        }
        boolean given = initialStates != null && initialStates.size() == 2;
        RecurrentOutput forward = forwardLayer.forward(inputs, given ? initialStates.subList(0, 1) : null);
        RecurrentOutput backward = backwardLayer.forward(inputs, given ? initialStates.subList(1, 2) : null);
        float[][][] forwardSequences = forward.sequences().values();
        float[][][] backwardSequences = backward.sequences().values();
        if (zeroOutputForMask && inputs.mask() != null) {
            forwardSequences = zeroMaskedSteps(forwardSequences, inputs.mask(), forwardLayer.engine().goBackwards());
            backwardSequences = zeroMaskedSteps(backwardSequences, inputs.mask(), backwardLayer.engine().goBackwards());
        }
        float[][][] merged = merge(forwardSequences, Layers.reverseTime(backwardSequences));
        // Without return_sequences each direction returns its own last output (its last processed step), unreversed.
        float[][] last = merge(forward.last(), backward.last());
        List<LstmState> states = new ArrayList<>(2);
        states.add(forward.states().get(0));
        states.add(backward.states().get(0));
        return new RecurrentOutput(new Tensor.Sequences(merged, inputs.mask()), last, states);
    }

    @Override
    public Tensor call(Tensor inputs) {
        RecurrentOutput outputs = forward(Layers.sequences(this, inputs), null);
        return returnSequences ? outputs.sequences() : new Tensor.Vectors(outputs.last());
    }

    /**
     * One direction's outputs {@code [B][T][H]} in its processing order with the steps whose input is masked set to
     * zeros, as Keras' {@code backend.rnn} emits them under {@code zero_output_for_mask}.
     */
    private static float[][][] zeroMaskedSteps(float[][][] outputs, boolean[][] mask, boolean goBackwards) {
        float[][][] out = new float[outputs.length][][];
        for (int b = 0; b < outputs.length; b++) {
            int steps = outputs[b].length;
            out[b] = new float[steps][];
            for (int s = 0; s < steps; s++) {
                boolean kept = mask[b][goBackwards ? steps - 1 - s : s];
                out[b][s] = kept ? outputs[b][s] : new float[outputs[b][s].length];
            }
        }
        return out;
    }

    private float[][][] merge(float[][][] forward, float[][][] backward) {
        float[][][] out = new float[forward.length][][];
        for (int b = 0; b < forward.length; b++) {
            out[b] = merge(forward[b], backward[b]);
        }
        return out;
    }

    private float[][] merge(float[][] forward, float[][] backward) {
        float[][] out = new float[forward.length][];
        for (int r = 0; r < forward.length; r++) {
            out[r] = merge(forward[r], backward[r]);
        }
        return out;
    }

    /** One step of both directions merged, in float32 as Keras computes it. */
    private float[] merge(float[] y, float[] yRev) {
        int h = y.length;
        float[] out;
        switch (mergeMode) {
            case CONCAT -> {
                out = new float[2 * h];
                System.arraycopy(y, 0, out, 0, h);
                System.arraycopy(yRev, 0, out, h, h);
            }
            case SUM -> {
                out = new float[h];
                for (int j = 0; j < h; j++) {
                    out[j] = y[j] + yRev[j];
                }
            }
            case MUL -> {
                out = new float[h];
                for (int j = 0; j < h; j++) {
                    out[j] = y[j] * yRev[j];
                }
            }
            default -> {
                out = new float[h];
                for (int j = 0; j < h; j++) {
                    out[j] = (y[j] + yRev[j]) / 2f;
                }
            }
        }
        return out;
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        forwardLayer.outputShape(inputShape);
        return returnSequences ? new int[] {inputShape[0], outputUnits()} : new int[] {outputUnits()};
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("merge_mode", mergeMode.kerasName());
        Map<String, Object> layer = new LinkedHashMap<>();
        layer.put("class_name", forwardLayer.className());
        layer.put("config", forwardLayer.config());
        config.put("layer", layer);
        Map<String, Object> backward = new LinkedHashMap<>();
        backward.put("class_name", backwardLayer.className());
        backward.put("config", backwardLayer.config());
        config.put("backward_layer", backward);
        return config;
    }

    @Override
    public List<Weight> weights() {
        List<Weight> weights = new ArrayList<>(forwardLayer.weights("forward_" + forwardLayer.name() + "/"));
        weights.addAll(backwardLayer.weights("backward_" + backwardLayer.name() + "/"));
        return weights;
    }
}
