package dev.lstmserve.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A chain of Keras layers run in order, each output (and its mask) the next layer's input, as Keras' {@code
 * Sequential} and a single-chain Functional model run ({@code keras/src/models/sequential.py}). Besides Keras'
 * {@code predict}, a run gives every recurrent layer's final states and takes their initial states, and can stop after
 * any layer.
 *
 * <p>Immutable and safe for concurrent calls.
 */
public final class Sequential {

    private final List<Layer> layers;
    private final int[] inputShape;
    private final List<int[]> outputShapes;
    private final List<StateSlot> stateSlots;

    /**
     * One (h, c) pair that a run carries: an LSTM has one, a Bidirectional layer two (forward, then backward).
     *
     * @param layerIndex the recurrent layer's index in {@link #layers()}
     * @param direction  {@code null} for an LSTM, {@code forward} or {@code backward} in a Bidirectional layer
     */
    public record StateSlot(int layerIndex, String layer, String direction, int units) {
    }

    /**
     * @param layers     in order; at least one
     * @param inputShape the model's input shape without the batch axis ({@code [T]} for token ids, {@code [T, E]} for
     *                   sequences; -1 where Keras leaves it open)
     * @throws IllegalArgumentException naming the first layer that cannot take its input's shape
     */
    public Sequential(List<Layer> layers, int[] inputShape) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("the model has no layers");
        }
        this.layers = List.copyOf(layers);
        this.inputShape = inputShape.clone();
        List<int[]> shapes = new ArrayList<>();
        List<StateSlot> slots = new ArrayList<>();
        int[] shape = inputShape;
        for (int i = 0; i < this.layers.size(); i++) {
            Layer layer = this.layers.get(i);
            shape = layer.outputShape(shape);
            shapes.add(shape);
            if (layer instanceof Bidirectional bidirectional) {
                slots.add(new StateSlot(i, layer.name(), "forward", bidirectional.units()));
                slots.add(new StateSlot(i, layer.name(), "backward", bidirectional.units()));
            } else if (layer instanceof RecurrentLayer recurrent) {
                slots.add(new StateSlot(i, layer.name(), null, recurrent.units()));
            }
        }
        this.outputShapes = List.copyOf(shapes);
        this.stateSlots = List.copyOf(slots);
    }

    public List<Layer> layers() {
        return layers;
    }

    /** The model's input shape without the batch axis, -1 where open. */
    public int[] inputShape() {
        return inputShape.clone();
    }

    /** The input shape of layer {@code index}, without the batch axis. */
    public int[] inputShape(int index) {
        return index == 0 ? inputShape.clone() : outputShapes.get(index - 1).clone();
    }

    /** The output shape of layer {@code index}, without the batch axis. */
    public int[] outputShape(int index) {
        return outputShapes.get(index).clone();
    }

    /** Every (h, c) pair a full run carries, in layer order. */
    public List<StateSlot> stateSlots() {
        return stateSlots;
    }

    /** The index of the last recurrent layer, or -1. */
    public int lastRecurrentIndex() {
        for (int i = layers.size() - 1; i >= 0; i--) {
            if (layers.get(i) instanceof RecurrentLayer) {
                return i;
            }
        }
        return -1;
    }

    /**
     * What a run of layers {@code [from, to)} gives.
     *
     * @param outputs       the last layer's output, as Keras' {@code predict} returns it
     * @param states        the final states of every recurrent layer that ran, in {@link #stateSlots()} order
     * @param lastRecurrent when the last layer run is recurrent: its every-step outputs and last outputs, else
     *                      {@code null}
     */
    public record Run(Tensor outputs, List<LstmState> states, RecurrentLayer.RecurrentOutput lastRecurrent) {
    }

    /** Keras' {@code model.predict(inputs)}: every layer, zero initial states. */
    public Tensor predict(Tensor inputs) {
        return run(inputs, 0, layers.size(), null).outputs();
    }

    /**
     * Runs layers {@code [from, to)}.
     *
     * @param inputs        what layer {@code from} takes: {@link Tensor.Tokens} for an Embedding, else sequences
     * @param initialStates initial states for the recurrent layers that run, in {@link #stateSlots()} order from the
     *                      first of them; {@code null}, a shorter list, or {@code null} entries for zeros
     * @throws IllegalArgumentException naming the layer whose input or state does not fit
     * @throws NonFiniteOutputException when a layer's output leaves float32 (overflow to ±Infinity, or NaN)
     */
    public Run run(Tensor inputs, int from, int to, List<LstmState> initialStates) {
        List<LstmState> given = initialStates == null ? List.of() : initialStates;
        List<LstmState> states = new ArrayList<>();
        Tensor x = inputs;
        RecurrentLayer.RecurrentOutput lastRecurrent = null;
        int slot = 0;
        for (int i = from; i < to; i++) {
            Layer layer = layers.get(i);
            if (layer instanceof RecurrentLayer recurrent) {
                List<LstmState> initial = new ArrayList<>(recurrent.stateCount());
                boolean any = false;
                for (int s = 0; s < recurrent.stateCount(); s++, slot++) {
                    LstmState state = slot < given.size() ? given.get(slot) : null;
                    initial.add(state);
                    any |= state != null;
                }
                RecurrentLayer.RecurrentOutput out = recurrent.forward(Layers.sequences(layer, x),
                        any ? fill(initial, recurrent.units(), x.batch()) : null);
                NonFiniteOutputException.check(layer, out.sequences());
                NonFiniteOutputException.check(layer, out.states());
                states.addAll(out.states());
                x = recurrent.returnSequences() ? out.sequences() : new Tensor.Vectors(out.last());
                lastRecurrent = out;
            } else {
                x = layer.call(x);
                NonFiniteOutputException.check(layer, x);
                lastRecurrent = null;
            }
        }
        return new Run(x, Collections.unmodifiableList(states), lastRecurrent);
    }

    /** Zeros for the states not given, once any of a layer's states is. */
    private static List<LstmState> fill(List<LstmState> states, int units, int batch) {
        List<LstmState> filled = new ArrayList<>(states.size());
        for (LstmState state : states) {
            filled.add(state == null ? LstmState.zeros(batch, units) : state);
        }
        return filled;
    }
}
