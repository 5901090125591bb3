package dev.lstmserve.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras' {@code LSTM} layer ({@code keras/src/layers/rnn/lstm.py}), also {@code RNN(cell=LSTMCell)}: the engine
 * {@link LstmLayer} with Keras' {@code return_sequences}. A masked step keeps h and c and repeats the previous output
 * (zeros before the first unmasked step); with {@code return_sequences} the mask passes on unchanged, even under
 * {@code go_backwards} (Keras' {@code RNN.compute_mask}).
 */
public final class Lstm implements RecurrentLayer {

    private final String name;
    private final String className;
    private final LstmLayer engine;
    private final boolean returnSequences;
    private final boolean returnState;

    /**
     * @param className       {@code LSTM}, or {@code RNN} for {@code RNN(cell=LSTMCell)}
     * @param returnState     recorded for {@link #config()} only: in a chain of layers only the output flows on
     */
    public Lstm(String name, String className, LstmLayer engine, boolean returnSequences, boolean returnState) {
        this.name = name;
        this.className = className;
        this.engine = engine;
        this.returnSequences = returnSequences;
        this.returnState = returnState;
    }

    /** The Keras LSTM engine with its weights and activations. */
    public LstmLayer engine() {
        return engine;
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
    public int stateCount() {
        return 1;
    }

    @Override
    public int units() {
        return engine.weights().units();
    }

    @Override
    public boolean returnSequences() {
        return returnSequences;
    }

    @Override
    public RecurrentOutput forward(Tensor.Sequences inputs, List<LstmState> initialStates) {
        if (initialStates != null && initialStates.size() > 1) {
            throw new IllegalArgumentException(name + " takes 1 initial state (h, c); got " + initialStates.size());
        }
        LstmState state = initialStates == null || initialStates.isEmpty() ? null : initialStates.get(0);
        LstmResult result = engine.forward(inputs.values(), inputs.mask(), state);
        return new RecurrentOutput(new Tensor.Sequences(result.outputs(), inputs.mask()), result.lastOutputs(),
                Collections.singletonList(result.state()));
    }

    @Override
    public Tensor call(Tensor inputs) {
        Tensor.Sequences sequences = Layers.sequences(this, inputs);
        RecurrentOutput outputs = forward(sequences, null);
        return returnSequences ? outputs.sequences() : new Tensor.Vectors(outputs.last());
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        Layers.checkSequenceShape(this, inputShape, engine.weights().inputSize(), "kernel");
        return returnSequences ? new int[] {inputShape[0], units()} : new int[] {units()};
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("units", units());
        config.put("activation", engine.activation().kerasName());
        config.put("recurrent_activation", engine.recurrentActivation().kerasName());
        config.put("use_bias", engine.weights().useBias());
        config.put("go_backwards", engine.goBackwards());
        config.put("return_sequences", returnSequences);
        config.put("return_state", returnState);
        return config;
    }

    @Override
    public List<Weight> weights() {
        return weights("");
    }

    /** The weights with {@code prefix} before each name (Bidirectional's {@code forward_lstm/}). */
    List<Weight> weights(String prefix) {
        LstmWeights w = engine.weights();
        return w.useBias()
                ? List.of(Weight.of(prefix + "kernel", w.kernelRows()), Weight.of(prefix + "recurrent_kernel",
                        w.recurrentKernelRows()), Weight.of(prefix + "bias", w.biasData()))
                : List.of(Weight.of(prefix + "kernel", w.kernelRows()), Weight.of(prefix + "recurrent_kernel",
                        w.recurrentKernelRows()));
    }
}
