package dev.lstmserve.model;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.lstmserve.core.Layer;
import dev.lstmserve.core.Lstm;
import dev.lstmserve.core.LstmState;
import dev.lstmserve.core.Weight;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes any servable model as lstm-serve JSON version 2: every layer as Keras describes it ({@code class_name},
 * {@code name}, {@code config} in Keras' field names) with its weights in Keras' order, the Keras version the
 * original file recorded (its rules, such as hard_sigmoid's form, keep applying), the vocabulary when it is a word
 * list, and the parity samples. {@link LstmServeJsonReader} reads it back into the same layers.
 */
public final class LstmServeJsonWriter {

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private LstmServeJsonWriter() {
    }

    /**
     * @throws IOException when {@code out} cannot be written
     */
    public static void write(LstmModel model, OutputStream out) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", "lstm-serve-model");
        root.put("version", 2);
        root.put("name", model.name());
        root.put("generated_by", "lstm-serve --lstm.export from " + model.source() + " (" + model.format() + ")");
        if (model.kerasVersion() != null) {
            root.put("keras_version", model.kerasVersion());
        }
        if (model.backend() != null) {
            root.put("backend", model.backend());
        }
        root.put("source_format", model.format());
        if (model.vocabulary() instanceof Vocabulary words) {
            root.put("vocabulary", words.words());
        }
        List<Integer> inputShape = new ArrayList<>();
        for (int dim : model.network().inputShape()) {
            inputShape.add(dim < 0 ? null : dim);
        }
        root.put("input_shape", inputShape);
        List<Map<String, Object>> layers = new ArrayList<>();
        for (Layer layer : model.network().layers()) {
            layers.add(layer(layer));
        }
        root.put("layers", layers);
        List<Map<String, Object>> parity = new ArrayList<>();
        for (ParitySample sample : model.parity()) {
            parity.add(sample(sample));
        }
        if (!parity.isEmpty()) {
            root.put("parity", parity);
        }
        JSON.writeValue(out, root);
    }

    private static Map<String, Object> layer(Layer layer) {
        Map<String, Object> out = new LinkedHashMap<>();
        // RNN(cell=LSTMCell) computes exactly what LSTM does; its own config shape (a nested cell) is not needed.
        out.put("class_name", layer instanceof Lstm ? "LSTM" : layer.className());
        out.put("name", layer.name());
        out.put("config", layer.config());
        List<Map<String, Object>> weights = new ArrayList<>();
        for (Weight weight : layer.weights()) {
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("name", weight.name());
            w.put("shape", weight.shape());
            w.put("values", nested(weight.values(), weight.shape(), 0, 0));
            weights.add(w);
        }
        if (!weights.isEmpty()) {
            out.put("weights", weights);
        }
        return out;
    }

    /** Row-major {@code values} as nested lists of {@code shape}. */
    private static Object nested(float[] values, int[] shape, int depth, int offset) {
        if (depth == shape.length - 1) {
            float[] row = new float[shape[depth]];
            System.arraycopy(values, offset, row, 0, row.length);
            return row;
        }
        int stride = 1;
        for (int d = depth + 1; d < shape.length; d++) {
            stride *= shape[d];
        }
        List<Object> rows = new ArrayList<>(shape[depth]);
        for (int i = 0; i < shape[depth]; i++) {
            rows.add(nested(values, shape, depth + 1, offset + i * stride));
        }
        return rows;
    }

    private static Map<String, Object> sample(ParitySample sample) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", sample.name());
        if (sample.tokens() != null) {
            out.put("tokens", sample.tokens());
        } else {
            out.put("inputs", sample.inputs());
        }
        LstmState state = sample.initialState();
        if (state != null) {
            out.put("initial_state", Map.of("h", state.h(), "c", state.c()));
        }
        Map<String, Object> expected = new LinkedHashMap<>();
        if (sample.endpoint() == ParitySample.Endpoint.PREDICT) {
            expected.put("predict", sample.expectedOutputs());
        } else {
            out.put("return_sequences", sample.returnSequences());
            out.put("return_state", sample.returnState());
            expected.put("outputs", sample.expectedOutputs());
            if (sample.returnState() && sample.expectedStates() != null) {
                expected.put("states", sample.expectedStates().stream()
                        .map(s -> Map.of("h", s.h(), "c", s.c())).toList());
            } else if (sample.returnState()) {
                expected.put("h", sample.expectedH());
                expected.put("c", sample.expectedC());
            }
        }
        out.put("expected", expected);
        return out;
    }
}
