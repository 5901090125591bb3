package dev.lstmserve.inference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import java.util.function.IntFunction;

import dev.lstmserve.core.Activation;
import dev.lstmserve.core.Embedding;
import dev.lstmserve.core.Layer;
import dev.lstmserve.core.LstmState;
import dev.lstmserve.core.NonFiniteOutputException;
import dev.lstmserve.core.RecurrentLayer;
import dev.lstmserve.core.Sequential;
import dev.lstmserve.core.Sequential.StateSlot;
import dev.lstmserve.core.Tensor;
import dev.lstmserve.model.LstmModel;
import dev.lstmserve.model.TextVocabulary;

/**
 * Runs one model on caller input: checks the input against the model, with messages that name the field, value
 * and shape; looks tokens up in the Embedding; runs the LSTM; and shapes the result as Keras would.
 *
 * <p>Stateless apart from the immutable model, so one instance serves concurrent requests.
 */
public final class LstmInference {

    private final LstmModel model;

    public LstmInference(LstmModel model) {
        this.model = model;
    }

    public LstmModel model() {
        return model;
    }

    /**
     * {@code POST /lstm/forward}: runs the model up to its forward layer (the last recurrent layer, or the one named
     * by {@code layer}) and returns that layer's outputs and the final states.
     *
     * @throws InvalidInputException naming the field whose value or shape the model cannot take
     * @throws NonFiniteOutputException when a layer's output leaves float32
     */
    public ForwardResult forward(ForwardQuery query) {
        Prepared prepared = prepareForward(query);
        return finishForward(prepared, run(prepared), 0);
    }

    /**
     * A checked request, ready to run: the input as layer {@code from} takes it, the layers {@code [from, to)} to
     * run and their initial states. Requests whose {@link #batchKey}s are equal can run as one batch.
     *
     * @param initialStates in {@link Sequential#stateSlots()} order from layer {@code from}, {@code [B][H]} or
     *                      {@code [1][H]} each; {@code null} for zeros
     */
    public record Prepared(ForwardQuery query, Tensor inputs, int from, int to, List<StateSlot> slots,
                           List<LstmState> initialStates) {

        /** B, this request's windows. */
        public int batch() {
            return inputs.batch();
        }

        /**
         * What must be equal for two requests to run as one forward: the layers, the kind of input, the window length,
         * and whether initial states are given (a zero state and no state take different paths in the engine).
         */
        public Object batchKey() {
            return List.of(from, to, inputs.getClass(), inputs.shape()[0], initialStates != null);
        }
    }

    /**
     * {@link #forward}'s checks.
     *
     * @throws InvalidInputException naming the field whose value or shape the model cannot take
     */
    public Prepared prepareForward(ForwardQuery query) {
        if (query.topK() != null) {
            throw new InvalidInputException("top_k", "top_k belongs to /lstm/predict, which runs the whole model");
        }
        Tensor inputs = inputs(query);
        int from = firstLayer(inputs);
        int layer = forwardLayer(query.layer(), from);
        List<StateSlot> slots = slots(from, layer + 1);
        return new Prepared(query, inputs, from, layer + 1, slots, initialStates(query, inputs.batch(), slots));
    }

    /**
     * Runs one request, or several with equal {@link Prepared#batchKey}s as one batch: their windows one after the
     * other, each one's initial states expanded to its own rows.
     *
     * @throws NonFiniteOutputException when a layer's output leaves float32 (its row counts from the first request's)
     */
    public Sequential.Run run(Prepared... batch) {
        Prepared first = batch[0];
        if (batch.length == 1) {
            return model.network().run(first.inputs(), first.from(), first.to(), first.initialStates());
        }
        int rows = 0;
        for (Prepared prepared : batch) {
            rows += prepared.batch();
        }
        Tensor inputs;
        if (first.inputs() instanceof Tensor.Tokens) {
            int[][] ids = new int[rows][];
            int row = 0;
            for (Prepared prepared : batch) {
                int[][] own = ((Tensor.Tokens) prepared.inputs()).ids();
                System.arraycopy(own, 0, ids, row, own.length);
                row += own.length;
            }
            inputs = new Tensor.Tokens(ids);
        } else {
            float[][][] values = new float[rows][][];
            int row = 0;
            for (Prepared prepared : batch) {
                float[][][] own = ((Tensor.Sequences) prepared.inputs()).values();
                System.arraycopy(own, 0, values, row, own.length);
                row += own.length;
            }
            inputs = new Tensor.Sequences(values, null);
        }
        List<LstmState> states = null;
        if (first.initialStates() != null) {
            states = new ArrayList<>(first.initialStates().size());
            for (int s = 0; s < first.initialStates().size(); s++) {
                float[][] h = new float[rows][];
                float[][] c = new float[rows][];
                int row = 0;
                for (Prepared prepared : batch) {
                    LstmState own = prepared.initialStates().get(s).forBatch(prepared.batch(),
                            prepared.slots().get(s).units());
                    System.arraycopy(own.h(), 0, h, row, prepared.batch());
                    System.arraycopy(own.c(), 0, c, row, prepared.batch());
                    row += prepared.batch();
                }
                states.add(new LstmState(h, c));
            }
        }
        return model.network().run(inputs, first.from(), first.to(), states);
    }

    /**
     * {@link #forward}'s answer from a run: the rows {@code [row, row + B)} of {@code run} are this request's.
     */
    public ForwardResult finishForward(Prepared prepared, Sequential.Run run, int row) {
        ForwardQuery query = prepared.query();
        int batch = prepared.batch();
        List<StateSlot> slots = prepared.slots();
        RecurrentLayer.RecurrentOutput out = run.lastRecurrent();
        Object outputs = query.returnSequencesOrDefault() ? rows(out.sequences().values(), row, batch)
                : rows(out.last(), row, batch);
        if (!query.returnStateOrDefault()) {
            return new ForwardResult(outputs, null, null);
        }
        if (slots.size() == 1) {
            LstmState state = run.states().get(0);
            return new ForwardResult(outputs, rows(state.h(), row, batch), rows(state.c(), row, batch));
        }
        List<ForwardResult.LayerState> states = new ArrayList<>(slots.size());
        for (int i = 0; i < slots.size(); i++) {
            LstmState state = run.states().get(i);
            states.add(new ForwardResult.LayerState(slots.get(i).layer(), slots.get(i).direction(),
                    rows(state.h(), row, batch), rows(state.c(), row, batch)));
        }
        return new ForwardResult(outputs, null, null, states);
    }

    /** Rows {@code [row, row + count)} of a batch: the array itself when it is all of them. */
    private static <T> T[] rows(T[] values, int row, int count) {
        return row == 0 && count == values.length ? values : Arrays.copyOfRange(values, row, row + count);
    }

    /**
     * {@code POST /lstm/predict}: the whole model, as Keras' {@code model.predict} runs it.
     *
     * @throws InvalidInputException naming the field whose value or shape the model cannot take
     * @throws NonFiniteOutputException when a layer's output leaves float32
     */
    public PredictResult predict(ForwardQuery query) {
        Prepared prepared = preparePredict(query);
        return finishPredict(prepared, run(prepared), 0);
    }

    /**
     * {@link #predict}'s checks.
     *
     * @throws InvalidInputException naming the field whose value or shape the model cannot take
     */
    public Prepared preparePredict(ForwardQuery query) {
        for (String forwardOnly : new String[] {"return_sequences", "return_state", "layer"}) {
            Object value = switch (forwardOnly) {
                case "return_sequences" -> query.returnSequences();
                case "return_state" -> query.returnState();
                default -> query.layer();
            };
            if (value != null) {
                throw new InvalidInputException(forwardOnly, forwardOnly + " belongs to /lstm/forward; /lstm/predict"
                        + " returns what the model's last layer returns, as Keras' model.predict");
            }
        }
        Integer topK = query.topK();
        int[] outputShape = model.network().outputShape(model.network().layers().size() - 1);
        int classes = outputShape[outputShape.length - 1];
        if (topK != null) {
            if (model.outputActivation() != Activation.SOFTMAX) {
                throw new InvalidInputException("top_k", "top_k needs a model whose last layer is a softmax; model '"
                        + model.name() + "' ends in " + lastLayerDescription());
            }
            if (topK < 1 || topK > classes) {
                throw new InvalidInputException("top_k", "top_k = " + topK + " is outside [1, " + classes
                        + "] (the model's " + classes + " classes)");
            }
        }
        Tensor inputs = inputs(query);
        int from = firstLayer(inputs);
        List<StateSlot> slots = slots(from, model.network().layers().size());
        return new Prepared(query, inputs, from, model.network().layers().size(), slots,
                initialStates(query, inputs.batch(), slots));
    }

    /** {@link #predict}'s answer from a run: the rows {@code [row, row + B)} of {@code run} are this request's. */
    public PredictResult finishPredict(Prepared prepared, Sequential.Run run, int row) {
        int batch = prepared.batch();
        Tensor outputs = run.outputs();
        if (outputs instanceof Tensor.Vectors v) {
            outputs = new Tensor.Vectors(rows(v.values(), row, batch));
        } else if (outputs instanceof Tensor.Sequences s) {
            outputs = new Tensor.Sequences(rows(s.values(), row, batch),
                    s.mask() == null ? null : rows(s.mask(), row, batch));
        } else {
            outputs = new Tensor.Tokens(rows(((Tensor.Tokens) outputs).ids(), row, batch));
        }
        Integer topK = prepared.query().topK();
        return new PredictResult(outputs.values(), topK == null ? null : topK(outputs, topK));
    }

    private Object topK(Tensor outputs, int k) {
        TextVocabulary vocabulary = model.vocabulary();
        IntFunction<String> word = id -> vocabulary == null || id >= vocabulary.size() ? null
                : vocabulary.words().get(id);
        if (outputs instanceof Tensor.Vectors vectors) {
            List<List<PredictResult.TopClass>> rows = new ArrayList<>();
            for (float[] row : vectors.values()) {
                rows.add(PredictResult.top(row, k, word));
            }
            return rows;
        }
        List<List<List<PredictResult.TopClass>>> rows = new ArrayList<>();
        for (float[][] window : ((Tensor.Sequences) outputs).values()) {
            List<List<PredictResult.TopClass>> steps = new ArrayList<>();
            for (float[] step : window) {
                steps.add(PredictResult.top(step, k, word));
            }
            rows.add(steps);
        }
        return rows;
    }

    private String lastLayerDescription() {
        Layer last = model.network().layers().get(model.network().layers().size() - 1);
        return last.className() + " layer '" + last.name() + "'" + (model.outputActivation() == null ? ""
                : " with activation " + model.outputActivation().kerasName());
    }

    /** The checked input as the first layer that runs takes it. */
    private Tensor inputs(ForwardQuery query) {
        List<String> given = new ArrayList<>();
        if (query.tokens() != null) {
            given.add("tokens");
        }
        if (query.text() != null) {
            given.add("text");
        }
        if (query.inputs() != null) {
            given.add("inputs");
        }
        if (given.size() != 1) {
            throw new InvalidInputException(null, "exactly one of tokens, text or inputs is required; got "
                    + (given.isEmpty() ? "none" : String.join(" and ", given)));
        }
        Tensor inputs;
        if (query.inputs() != null) {
            inputs = new Tensor.Sequences(checkInputs(query.inputs()), null);
        } else {
            inputs = new Tensor.Tokens(query.tokens() != null ? checkTokens(query.tokens()) : tokenize(query.text()));
        }
        checkWindowLength(inputs, given.get(0));
        return inputs;
    }

    /** Token ids start at the Embedding; {@code inputs} start after it (they are embedded already, and unmasked). */
    private int firstLayer(Tensor inputs) {
        return inputs instanceof Tensor.Tokens || model.embedding() == null ? 0 : 1;
    }

    /** {@code lstm_1}, or {@code bidirectional (backward)}. */
    private static String describe(StateSlot slot) {
        return slot.layer() + (slot.direction() == null ? "" : " (" + slot.direction() + ")") + " [" + slot.units()
                + " units]";
    }

    private void checkWindowLength(Tensor inputs, String field) {
        int required = model.requiredSteps();
        int steps = inputs.shape()[0];
        if (required >= 0 && steps != required) {
            throw new InvalidInputException(field, field + " windows have " + steps + " steps; model '" + model.name()
                    + "' takes windows of exactly " + required + " (its input shape "
                    + Tensor.describe(model.network().inputShape()) + ", fixed by its Flatten layer)");
        }
    }

    private int forwardLayer(String name, int from) {
        if (name == null) {
            return model.forwardLayerIndex();
        }
        List<Layer> layers = model.network().layers();
        for (int i = from; i < layers.size(); i++) {
            if (layers.get(i).name().equals(name)) {
                if (!(layers.get(i) instanceof RecurrentLayer)) {
                    break;
                }
                return i;
            }
        }
        throw new InvalidInputException("layer", "layer = \"" + name + "\" is not a recurrent layer of model '"
                + model.name() + "'; its recurrent layers: " + layers.stream()
                .filter(l -> l instanceof RecurrentLayer).map(Layer::name).toList());
    }

    private List<StateSlot> slots(int from, int to) {
        return model.network().stateSlots().stream()
                .filter(slot -> slot.layerIndex() >= from && slot.layerIndex() < to).toList();
    }

    /** The initial states of a run over {@code slots}, checked; {@code null} for zeros everywhere. */
    private List<LstmState> initialStates(ForwardQuery query, int batch, List<StateSlot> slots) {
        if (query.initialState() != null && query.initialStates() != null) {
            throw new InvalidInputException("initial_states", "give initial_state (the first recurrent layer's) or"
                    + " initial_states (one per state the run carries), not both");
        }
        if (query.initialState() != null) {
            return List.of(checkState("initial_state", query.initialState(), batch, slots.get(0)));
        }
        if (query.initialStates() == null) {
            return null;
        }
        List<ForwardQuery.StateQuery> given = query.initialStates();
        if (given.size() != slots.size()) {
            throw new InvalidInputException("initial_states", "initial_states has " + given.size() + " entries;"
                    + " expected " + slots.size() + ", one per state this run carries: " + slots.stream()
                    .map(LstmInference::describe).toList());
        }
        List<LstmState> states = new ArrayList<>(slots.size());
        for (int i = 0; i < slots.size(); i++) {
            String field = "initial_states[" + i + "]";
            ForwardQuery.StateQuery state = given.get(i);
            if (state == null) {
                throw new InvalidInputException(field, field + " is null; expected {\"h\": [[...]], \"c\": [[...]]}");
            }
            StateSlot slot = slots.get(i);
            if (state.layer() != null && !state.layer().equals(slot.layer())) {
                throw new InvalidInputException(field + ".layer", field + ".layer = \"" + state.layer()
                        + "\"; this entry is " + describe(slot));
            }
            if (state.direction() != null && !state.direction().equals(slot.direction())) {
                throw new InvalidInputException(field + ".direction", field + ".direction = \"" + state.direction()
                        + "\"; this entry is " + describe(slot));
            }
            states.add(checkState(field, state, batch, slot));
        }
        return states;
    }

    private int[][] checkTokens(int[][] tokens) {
        Embedding embedding = model.embedding();
        if (embedding == null) {
            throw new InvalidInputException("tokens", "tokens needs a model with an Embedding; model '" + model.name()
                    + "' takes inputs [batch][time][" + model.inputSize() + "]");
        }
        checkBatch("tokens", tokens.length, "[batch][time]");
        int steps = -1;
        for (int b = 0; b < tokens.length; b++) {
            String row = "tokens[" + b + "]";
            if (tokens[b] == null) {
                throw new InvalidInputException(row, row + " is null; expected a window of token ids");
            }
            steps = checkSteps(row, tokens[b].length, steps, "tokens[0]");
            for (int t = 0; t < tokens[b].length; t++) {
                int id = tokens[b][t];
                if (id < 0 || id >= embedding.inputDim()) {
                    String field = row + "[" + t + "]";
                    throw new InvalidInputException(field, field + " = " + id + " is outside the vocabulary [0, "
                            + embedding.inputDim() + ")");
                }
            }
        }
        return tokens;
    }

    /**
     * Text windows as token ids. Windows are then made as long as the model takes them, the way Keras users feed a
     * model ({@code pad_sequences}' defaults: padding and truncating at the start, padding id 0): to the model's
     * declared window length when it has one; else, under {@code mask_zero}, to the longest window (the padding is
     * masked); else every window must have the same number of words.
     */
    private int[][] tokenize(List<String> text) {
        TextVocabulary vocabulary = model.vocabulary();
        if (vocabulary == null) {
            throw new InvalidInputException("text", "text needs a model with a vocabulary; model '" + model.name()
                    + "' has none: send tokens or inputs");
        }
        checkBatch("text", text.size(), "[batch] windows of words");
        int[][] tokens = new int[text.size()][];
        int longest = 0;
        for (int b = 0; b < tokens.length; b++) {
            String field = "text[" + b + "]";
            if (text.get(b) == null) {
                throw new InvalidInputException(field, field + " is null; expected a window of words");
            }
            try {
                tokens[b] = vocabulary.tokenize(field, text.get(b));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(field, e.getMessage());
            }
            int inputDim = model.embedding().inputDim();
            for (int t = 0; t < tokens[b].length; t++) {
                if (tokens[b][t] >= inputDim) {
                    throw new InvalidInputException(field, field + " word " + t + " has id " + tokens[b][t]
                            + ", outside the model's Embedding [0, " + inputDim + ") (a vocabulary larger than the"
                            + " model; Keras would fail on it too)");
                }
            }
            longest = Math.max(longest, tokens[b].length);
        }
        int declared = model.network().inputShape()[0];
        int length = declared >= 0 ? declared : model.embedding().maskZero() ? longest : -1;
        for (int b = 0; b < tokens.length; b++) {
            if (length >= 0) {
                tokens[b] = padOrTruncateAtStart(tokens[b], length);
            } else if (tokens[b].length != tokens[0].length) {
                String field = "text[" + b + "]";
                throw new InvalidInputException(field, field + " has " + tokens[b].length + " words; expected "
                        + tokens[0].length + " like text[0] (every window must have the same number of words)");
            }
        }
        return tokens;
    }

    /** Keras' {@code pad_sequences(maxlen=length)} for one window: 0s before it, or its last {@code length} ids. */
    private static int[] padOrTruncateAtStart(int[] ids, int length) {
        int[] out = new int[length];
        int keep = Math.min(ids.length, length);
        System.arraycopy(ids, ids.length - keep, out, length - keep, keep);
        return out;
    }

    private float[][][] checkInputs(double[][][] inputs) {
        checkBatch("inputs", inputs.length, "[batch][time][" + model.inputSize() + "]");
        float[][][] out = new float[inputs.length][][];
        int steps = -1;
        for (int b = 0; b < inputs.length; b++) {
            String row = "inputs[" + b + "]";
            if (inputs[b] == null) {
                throw new InvalidInputException(row, row + " is null; expected [time][" + model.inputSize() + "]");
            }
            steps = checkSteps(row, inputs[b].length, steps, "inputs[0]");
            out[b] = new float[inputs[b].length][];
            for (int t = 0; t < inputs[b].length; t++) {
                String field = row + "[" + t + "]";
                double[] step = inputs[b][t];
                if (step == null || step.length != model.inputSize()) {
                    throw new InvalidInputException(field, field + " has " + (step == null ? "no" : step.length)
                            + " features; expected " + model.inputSize() + " (the model's input size)");
                }
                out[b][t] = toFloat32(field, step);
            }
        }
        return out;
    }

    private LstmState checkState(String field, ForwardQuery.StateQuery query, int batch, StateSlot slot) {
        if (query.h() == null || query.c() == null) {
            String missing = query.h() == null ? "h" : "c";
            String shape = "[" + batch + "][" + slot.units() + "]" + (batch == 1 ? "" : " or [1][" + slot.units() + "]");
            throw new InvalidInputException(field + "." + missing, field + "." + missing
                    + " is missing; " + field + " needs both h and c, " + shape);
        }
        return new LstmState(stateRows(field + ".h", query.h(), batch, slot.units()),
                stateRows(field + ".c", query.c(), batch, slot.units()));
    }

    private float[][] stateRows(String field, double[][] rows, int batch, int units) {
        if (rows.length != batch && rows.length != 1) {
            throw new InvalidInputException(field, field + " has " + rows.length + " rows; expected "
                    + (batch == 1 ? "1 (batch)" : batch + " (batch) or 1"));
        }
        float[][] out = new float[rows.length][];
        for (int b = 0; b < rows.length; b++) {
            String row = field + "[" + b + "]";
            if (rows[b] == null || rows[b].length != units) {
                throw new InvalidInputException(row, row + " has " + (rows[b] == null ? "no" : rows[b].length)
                        + " values; expected " + units + " (units)");
            }
            out[b] = toFloat32(row, rows[b]);
        }
        return out;
    }

    private static void checkBatch(String field, int batch, String shape) {
        if (batch == 0) {
            throw new InvalidInputException(field, field + " is empty; expected " + shape + " with at least one row");
        }
    }

    private static int checkSteps(String row, int steps, int expected, String first) {
        if (steps == 0) {
            throw new InvalidInputException(row, row + " is empty; every window needs at least one step");
        }
        if (expected >= 0 && steps != expected) {
            throw new InvalidInputException(row, row + " has " + steps + " steps; expected " + expected + " like "
                    + first + " (windows in a batch must have the same length)");
        }
        return steps;
    }

    private static float[] toFloat32(String field, double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (!Float.isFinite((float) v)) {
                String at = field + "[" + i + "]";
                throw new InvalidInputException(at, at + " = " + v + " is not a finite float32 (|x| ≤ 3.4028235e38)");
            }
            out[i] = (float) v;
        }
        return out;
    }
}
