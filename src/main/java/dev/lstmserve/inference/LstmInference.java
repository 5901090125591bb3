package dev.lstmserve.inference;

import java.util.ArrayList;
import java.util.List;

import dev.lstmserve.core.Embedding;
import dev.lstmserve.core.LstmResult;
import dev.lstmserve.core.LstmState;
import dev.lstmserve.model.LstmModel;
import dev.lstmserve.model.Vocabulary;

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
     * @throws InvalidInputException naming the field whose value or shape the model cannot take
     */
    public ForwardResult forward(ForwardQuery query) {
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
        float[][][] inputs;
        boolean[][] mask = null;
        if (query.inputs() != null) {
            inputs = checkInputs(query.inputs());
        } else {
            int[][] tokens = query.tokens() != null ? checkTokens(query.tokens()) : tokenize(query.text());
            inputs = model.embedding().lookup(tokens);
            mask = model.embedding().mask(tokens);
        }
        LstmState initialState = query.hasInitialState() ? checkState(query, inputs.length) : null;
        LstmResult result = model.lstm().forward(inputs, mask, initialState);
        Object outputs = query.returnSequencesOrDefault() ? result.outputs() : result.lastOutputs();
        return query.returnStateOrDefault()
                ? new ForwardResult(outputs, result.state().h(), result.state().c())
                : new ForwardResult(outputs, null, null);
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

    private int[][] tokenize(List<String> text) {
        Vocabulary vocabulary = model.vocabulary();
        if (vocabulary == null) {
            throw new InvalidInputException("text", "text needs a model with a vocabulary; model '" + model.name()
                    + "' has none: send tokens or inputs");
        }
        checkBatch("text", text.size(), "[batch] windows of words");
        int[][] tokens = new int[text.size()][];
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
            if (tokens[b].length != tokens[0].length) {
                throw new InvalidInputException(field, field + " has " + tokens[b].length + " words; expected "
                        + tokens[0].length + " like text[0] (every window must have the same number of words)");
            }
        }
        return tokens;
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

    private LstmState checkState(ForwardQuery query, int batch) {
        if (query.initialH() == null || query.initialC() == null) {
            String missing = query.initialH() == null ? "h" : "c";
            String shape = "[" + batch + "][" + model.units() + "]" + (batch == 1 ? "" : " or [1][" + model.units() + "]");
            throw new InvalidInputException("initial_state." + missing, "initial_state." + missing
                    + " is missing; initial_state needs both h and c, " + shape);
        }
        return new LstmState(stateRows("h", query.initialH(), batch), stateRows("c", query.initialC(), batch));
    }

    private float[][] stateRows(String name, double[][] rows, int batch) {
        String field = "initial_state." + name;
        int units = model.units();
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
