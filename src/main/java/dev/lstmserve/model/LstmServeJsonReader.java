package dev.lstmserve.model;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import dev.lstmserve.core.Activation;
import dev.lstmserve.core.Embedding;
import dev.lstmserve.core.Layer;
import dev.lstmserve.core.Lstm;
import dev.lstmserve.core.LstmLayer;
import dev.lstmserve.core.LstmState;
import dev.lstmserve.core.LstmWeights;
import dev.lstmserve.core.Sequential;
import dev.lstmserve.model.keras.KerasLayerSpec;
import dev.lstmserve.model.keras.KerasModelMapper;
import dev.lstmserve.model.keras.KerasModelSpec;
import dev.lstmserve.model.keras.KerasWeight;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the project's own model format, {@code lstm-serve-model} version 1 (see README, "Model format"). Every
 * problem is reported with the JSON path of the offending field and the shape it has and needs.
 */
final class LstmServeJsonReader {

    static final String FORMAT = "lstm-serve-json";

    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final Set<String> TOP_LEVEL = Set.of("format", "version", "name", "description", "generated_by",
            "keras_version", "vocabulary", "embedding", "lstm", "parity");
    private static final Set<String> EMBEDDING = Set.of("input_dim", "output_dim", "mask_zero", "embeddings");
    private static final Set<String> LSTM = Set.of("units", "activation", "recurrent_activation", "use_bias",
            "go_backwards", "kernel", "recurrent_kernel", "bias");
    private static final Set<String> SAMPLE = Set.of("name", "tokens", "inputs", "initial_state", "return_sequences",
            "return_state", "expected");
    private static final Set<String> TOP_LEVEL_V2 = Set.of("format", "version", "name", "description",
            "generated_by", "keras_version", "backend", "source_format", "vocabulary", "input_shape", "layers",
            "parity");
    private static final Set<String> LAYER_V2 = Set.of("class_name", "name", "config", "weights");
    private static final Set<String> WEIGHT_V2 = Set.of("name", "shape", "values");
    private static final Set<String> SIDECAR = Set.of("description", "generated_by", "samples");

    private LstmServeJsonReader() {
    }

    /**
     * @param source names the file in every error
     * @throws ModelLoadException naming {@code source}, the field and the problem
     */
    static LstmModel read(InputStream in, String source) {
        JsonNode root = parse(in, source);
        try {
            return read(root, source);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(source, e.getMessage(), e);
        }
    }

    private static LstmModel read(JsonNode root, String source) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("expected a JSON object with \"format\": \"lstm-serve-model\"");
        }
        String format = text(root, "format", null);
        if (!"lstm-serve-model".equals(format)) {
            throw new IllegalArgumentException("format = " + root.get("format") + "; expected \"lstm-serve-model\"");
        }
        int version = integer(root, "version", "version", -1);
        if (version == 2) {
            return readV2(root, source);
        }
        if (version != 1) {
            throw new IllegalArgumentException("version = " + root.get("version")
                    + "; this service reads versions 1 and 2");
        }
        checkFields(root, "", TOP_LEVEL);
        String name = text(root, "name", null);
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name is missing");
        }
        String kerasVersion = text(root, "keras_version", null);

        Vocabulary vocabulary = null;
        if (root.has("vocabulary")) {
            List<String> words = new ArrayList<>();
            JsonNode list = array(root.get("vocabulary"), "vocabulary");
            for (int i = 0; i < list.size(); i++) {
                if (!list.get(i).isString()) {
                    throw new IllegalArgumentException("vocabulary[" + i + "] = " + list.get(i) + " is not a string");
                }
                words.add(list.get(i).asString());
            }
            vocabulary = new Vocabulary(words);
        }

        Embedding embedding = root.has("embedding") ? embedding(root.get("embedding")) : null;
        if (vocabulary != null && embedding != null && vocabulary.size() != embedding.inputDim()) {
            throw new IllegalArgumentException("vocabulary has " + vocabulary.size()
                    + " words but embedding.input_dim = " + embedding.inputDim());
        }
        if (vocabulary != null && embedding == null) {
            throw new IllegalArgumentException("vocabulary needs an embedding to look its ids up");
        }
        JsonNode lstmNode = root.get("lstm");
        if (lstmNode == null) {
            throw new IllegalArgumentException("lstm is missing");
        }
        LstmLayer lstm = lstm(lstmNode, KerasVersion.parse(kerasVersion));
        if (embedding != null && embedding.outputDim() != lstm.weights().inputSize()) {
            throw new IllegalArgumentException("lstm.kernel has " + lstm.weights().inputSize()
                    + " rows; expected " + embedding.outputDim() + " (embedding.output_dim)");
        }

        List<ParitySample> parity = root.has("parity") ? samples(root.get("parity"), "parity") : List.of();
        List<Layer> layers = new ArrayList<>();
        if (embedding != null) {
            layers.add(embedding);
        }
        layers.add(new Lstm("lstm", "LSTM", lstm, true, true));
        Sequential network = new Sequential(layers,
                embedding != null ? new int[] {-1} : new int[] {-1, lstm.weights().inputSize()});
        return new LstmModel(name, source, FORMAT, kerasVersion, null, vocabulary, network, parity);
    }

    /**
     * Version 2: any servable stack, each layer as Keras describes it ({@code class_name}, {@code name},
     * {@code config} in Keras' own field names) with its weights in Keras' order, read through the same mappers as a
     * Keras file.
     */
    private static LstmModel readV2(JsonNode root, String source) {
        checkFields(root, "", TOP_LEVEL_V2);
        String name = text(root, "name", null);
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name is missing");
        }
        String kerasVersion = text(root, "keras_version", null);
        KerasVersion.parse(kerasVersion);
        Vocabulary vocabulary = root.has("vocabulary") ? vocabulary(root.get("vocabulary")) : null;
        int[] inputShape = null;
        if (root.has("input_shape") && !root.get("input_shape").isNull()) {
            JsonNode shape = array(root.get("input_shape"), "input_shape");
            inputShape = new int[shape.size()];
            for (int i = 0; i < inputShape.length; i++) {
                inputShape[i] = shape.get(i).isNull() ? -1 : integer(shape, i, "input_shape[" + i + "]");
            }
        }
        JsonNode layerList = array(root.get("layers"), "layers");
        List<KerasLayerSpec> layers = new ArrayList<>();
        for (int i = 0; i < layerList.size(); i++) {
            layers.add(layer(layerList.get(i), "layers[" + i + "]"));
        }
        KerasModelSpec spec = new KerasModelSpec(source, FORMAT, kerasVersion, text(root, "backend", null),
                "Sequential", inputShape, layers);
        Sequential network;
        try {
            network = KerasModelMapper.map(spec);
        } catch (ModelLoadException e) {
            throw new IllegalArgumentException(e.getMessage().substring(source.length() + 2), e);
        }
        List<ParitySample> parity = root.has("parity") ? samples(root.get("parity"), "parity") : List.of();
        return new LstmModel(name, source, FORMAT, kerasVersion, text(root, "backend", null), vocabulary, network,
                parity);
    }

    private static KerasLayerSpec layer(JsonNode node, String path) {
        checkFields(node, path + ".", LAYER_V2);
        String className = text(node, "class_name", path + ".class_name");
        String name = text(node, "name", path + ".name");
        if (className == null || name == null) {
            throw new IllegalArgumentException(path + " needs class_name and name");
        }
        JsonNode config = node.get("config");
        if (config == null || !config.isObject()) {
            throw new IllegalArgumentException(path + ".config is missing or not an object");
        }
        List<KerasWeight> weights = new ArrayList<>();
        if (node.has("weights")) {
            JsonNode list = array(node.get("weights"), path + ".weights");
            for (int i = 0; i < list.size(); i++) {
                String at = path + ".weights[" + i + "]";
                JsonNode weight = list.get(i);
                checkFields(weight, at + ".", WEIGHT_V2);
                JsonNode shapeNode = array(weight.get("shape"), at + ".shape");
                int[] shape = new int[shapeNode.size()];
                long size = 1;
                for (int d = 0; d < shape.length; d++) {
                    shape[d] = integer(shapeNode, d, at + ".shape[" + d + "]");
                    if (shape[d] < 0) {
                        throw new IllegalArgumentException(at + ".shape[" + d + "] = " + shape[d] + " is negative");
                    }
                    size *= shape[d];
                }
                float[] values = new float[Math.toIntExact(size)];
                int filled = flatten(weight.get("values"), shape, 0, values, 0, at + ".values");
                if (filled != values.length) {
                    throw new IllegalArgumentException(at + ".values has " + filled + " values; shape "
                            + java.util.Arrays.toString(shape) + " holds " + size);
                }
                weights.add(new KerasWeight(text(weight, "name", at + ".name"), shape, values));
            }
        }
        return new KerasLayerSpec(className, name, config, weights);
    }

    /** Nested JSON arrays of {@code shape} into {@code values}, row-major; returns the next free index. */
    private static int flatten(JsonNode node, int[] shape, int depth, float[] values, int at, String path) {
        if (depth == shape.length) {
            values[at] = number(node, path);
            return at + 1;
        }
        JsonNode list = array(node, path);
        if (list.size() != shape[depth]) {
            throw new IllegalArgumentException(path + " has " + list.size() + " entries; the shape says "
                    + shape[depth]);
        }
        for (int i = 0; i < list.size(); i++) {
            at = flatten(list.get(i), shape, depth + 1, values, at, path + "[" + i + "]");
        }
        return at;
    }

    private static Vocabulary vocabulary(JsonNode node) {
        List<String> words = new ArrayList<>();
        JsonNode list = array(node, "vocabulary");
        for (int i = 0; i < list.size(); i++) {
            if (!list.get(i).isString()) {
                throw new IllegalArgumentException("vocabulary[" + i + "] = " + list.get(i) + " is not a string");
            }
            words.add(list.get(i).asString());
        }
        return new Vocabulary(words);
    }

    /**
     * The JSON tree of {@code in}, which is closed after.
     *
     * @throws ModelLoadException naming {@code source}
     */
    private static JsonNode parse(InputStream in, String source) {
        try (in) {
            return MAPPER.readTree(in);
        } catch (JacksonException e) {
            throw new ModelLoadException(source, "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ModelLoadException(source, "cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * The parity samples of a sidecar {@code <model file>.parity.json}: {@code {"samples": [...]}}, each sample as in
     * a model's {@code parity} list.
     *
     * @throws ModelLoadException naming the sidecar, the field and the problem
     */
    static List<ParitySample> readSidecar(InputStream in, String source) {
        JsonNode root = parse(in, source);
        try {
            if (root == null || !root.isObject()) {
                throw new IllegalArgumentException("expected a JSON object with \"samples\": [...]");
            }
            checkFields(root, "", SIDECAR);
            return samples(root.get("samples"), "samples");
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(source, e.getMessage(), e);
        }
    }

    private static List<ParitySample> samples(JsonNode node, String path) {
        JsonNode list = array(node, path);
        List<ParitySample> samples = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            samples.add(sample(list.get(i), path + "[" + i + "]"));
        }
        return samples;
    }

    private static Embedding embedding(JsonNode node) {
        checkFields(node, "embedding.", EMBEDDING);
        float[][] embeddings = matrix(node.get("embeddings"), "embedding.embeddings");
        Embedding embedding = new Embedding("embedding", embeddings,
                bool(node, "mask_zero", "embedding.mask_zero", false));
        int inputDim = integer(node, "input_dim", "embedding.input_dim", embedding.inputDim());
        int outputDim = integer(node, "output_dim", "embedding.output_dim", embedding.outputDim());
        if (inputDim != embedding.inputDim() || outputDim != embedding.outputDim()) {
            throw new IllegalArgumentException("embedding.embeddings is [" + embedding.inputDim() + "]["
                    + embedding.outputDim() + "]; expected [" + inputDim + "][" + outputDim
                    + "] (input_dim, output_dim)");
        }
        return embedding;
    }

    private static LstmLayer lstm(JsonNode node, KerasVersion version) {
        checkFields(node, "lstm.", LSTM);
        float[][] kernel = matrix(node.get("kernel"), "lstm.kernel");
        float[][] recurrentKernel = matrix(node.get("recurrent_kernel"), "lstm.recurrent_kernel");
        boolean useBias = bool(node, "use_bias", "lstm.use_bias", true);
        float[] bias = null;
        if (useBias) {
            bias = vector(node.get("bias"), "lstm.bias");
        } else if (node.has("bias") && !node.get("bias").isNull()) {
            throw new IllegalArgumentException("lstm.bias is given but lstm.use_bias is false");
        }
        LstmWeights weights;
        try {
            weights = LstmWeights.of(kernel, recurrentKernel, bias);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("lstm." + e.getMessage(), e);
        }
        int units = integer(node, "units", "lstm.units", weights.units());
        if (units != weights.units()) {
            throw new IllegalArgumentException("lstm.recurrent_kernel has " + weights.units()
                    + " rows; expected " + units + " (lstm.units)");
        }
        Activation activation = activation(node, "activation", "tanh", version.major());
        Activation recurrentActivation = activation(node, "recurrent_activation",
                node.has("recurrent_activation") ? null : version.recurrentActivationDefault("lstm"), version.major());
        return new LstmLayer(weights, activation, recurrentActivation, bool(node, "go_backwards", "lstm.go_backwards", false));
    }

    private static ParitySample sample(JsonNode node, String path) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(path + " is not an object");
        }
        checkFields(node, path + ".", SAMPLE);
        String name = text(node, "name", path + ".name");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(path + ".name is missing");
        }
        int[][] tokens = node.has("tokens") ? intMatrix(node.get("tokens"), path + ".tokens") : null;
        float[][][] inputs = node.has("inputs") ? tensor3(node.get("inputs"), path + ".inputs") : null;
        if ((tokens == null) == (inputs == null)) {
            throw new IllegalArgumentException(path + " needs exactly one of tokens and inputs");
        }
        LstmState initialState = null;
        if (node.has("initial_state")) {
            JsonNode state = node.get("initial_state");
            checkFields(state, path + ".initial_state.", Set.of("h", "c"));
            initialState = new LstmState(matrix(state.get("h"), path + ".initial_state.h"),
                    matrix(state.get("c"), path + ".initial_state.c"));
        }
        boolean returnSequences = bool(node, "return_sequences", path + ".return_sequences", true);
        boolean returnState = bool(node, "return_state", path + ".return_state", true);
        JsonNode expected = node.get("expected");
        if (expected == null || !expected.isObject()) {
            throw new IllegalArgumentException(path + ".expected is missing");
        }
        if (expected.has("predict")) {
            checkFields(expected, path + ".expected.", Set.of("predict"));
            if (node.has("return_sequences") || node.has("return_state")) {
                throw new IllegalArgumentException(path + ": return_sequences and return_state belong to forward"
                        + " samples (expected.outputs); a predict sample records what model.predict returned");
            }
            JsonNode predict = expected.get("predict");
            Object outputs = depth(predict) == 3 ? tensor3(predict, path + ".expected.predict")
                    : matrix(predict, path + ".expected.predict");
            return ParitySample.predict(name, tokens, inputs, initialState, outputs);
        }
        checkFields(expected, path + ".expected.", Set.of("outputs", "h", "c", "states"));
        Object outputs = returnSequences
                ? tensor3(expected.get("outputs"), path + ".expected.outputs")
                : matrix(expected.get("outputs"), path + ".expected.outputs");
        float[][] h = null;
        float[][] c = null;
        List<LstmState> states = null;
        if (returnState && expected.has("states")) {
            if (expected.has("h") || expected.has("c")) {
                throw new IllegalArgumentException(path + ".expected has both states and h/c; a run that carries one"
                        + " state records h and c, one that carries several records states");
            }
            JsonNode list = array(expected.get("states"), path + ".expected.states");
            states = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                String at = path + ".expected.states[" + i + "]";
                checkFields(list.get(i), at + ".", Set.of("layer", "direction", "h", "c"));
                states.add(new LstmState(matrix(list.get(i).get("h"), at + ".h"), matrix(list.get(i).get("c"), at + ".c")));
            }
        } else if (returnState) {
            h = matrix(expected.get("h"), path + ".expected.h");
            c = matrix(expected.get("c"), path + ".expected.c");
        } else if (expected.has("h") || expected.has("c") || expected.has("states")) {
            throw new IllegalArgumentException(path + ".expected has h/c but return_state is false");
        }
        return new ParitySample(name, ParitySample.Endpoint.FORWARD, tokens, inputs, initialState, returnSequences,
                returnState, outputs, h, c, states);
    }

    private static Activation activation(JsonNode node, String field, String fallback, int kerasMajor) {
        String name = text(node, field, "lstm." + field);
        try {
            return Activation.byKerasName(name == null ? fallback : name, kerasMajor);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("lstm." + field + ": " + e.getMessage(), e);
        }
    }

    private static void checkFields(JsonNode node, String prefix, Set<String> known) {
        if (!node.isObject()) {
            throw new IllegalArgumentException((prefix.isEmpty() ? "the model" : prefix.substring(0, prefix.length() - 1))
                    + " is not an object");
        }
        for (Iterator<String> it = node.propertyNames().iterator(); it.hasNext(); ) {
            String field = it.next();
            if (!known.contains(field)) {
                throw new IllegalArgumentException("unknown field " + prefix + field + "; known: " + known.stream().sorted().toList());
            }
        }
    }

    private static String text(JsonNode node, String field, String path) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isString()) {
            throw new IllegalArgumentException((path == null ? field : path) + " = " + value + " is not a string");
        }
        return value.asString();
    }

    private static int integer(JsonNode node, String field, String path, int fallback) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new IllegalArgumentException(path + " = " + value + " is not an integer");
        }
        return value.intValue();
    }

    private static boolean bool(JsonNode node, String field, String path, boolean fallback) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw new IllegalArgumentException(path + " = " + value + " is not true or false");
        }
        return value.booleanValue();
    }

    private static JsonNode array(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            throw new IllegalArgumentException(path + " is missing");
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException(path + " is not an array");
        }
        return node;
    }

    private static float number(JsonNode node, String path) {
        if (node == null || !node.isNumber()) {
            throw new IllegalArgumentException(path + " = " + node + " is not a number");
        }
        double value = node.doubleValue();
        if (!Float.isFinite((float) value)) {
            throw new IllegalArgumentException(path + " = " + node + " is not a finite float32");
        }
        return (float) value;
    }

    private static float[] vector(JsonNode node, String path) {
        JsonNode list = array(node, path);
        float[] values = new float[list.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = number(list.get(i), path + "[" + i + "]");
        }
        return values;
    }

    private static float[][] matrix(JsonNode node, String path) {
        JsonNode list = array(node, path);
        if (list.isEmpty()) {
            throw new IllegalArgumentException(path + " is empty");
        }
        float[][] rows = new float[list.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = vector(list.get(i), path + "[" + i + "]");
            if (rows[i].length != rows[0].length) {
                throw new IllegalArgumentException(path + "[" + i + "] has " + rows[i].length
                        + " values; expected " + rows[0].length + " like " + path + "[0]");
            }
        }
        return rows;
    }

    private static float[][][] tensor3(JsonNode node, String path) {
        JsonNode list = array(node, path);
        if (list.isEmpty()) {
            throw new IllegalArgumentException(path + " is empty");
        }
        float[][][] out = new float[list.size()][][];
        for (int i = 0; i < out.length; i++) {
            out[i] = matrix(list.get(i), path + "[" + i + "]");
        }
        return out;
    }

    /** How deeply arrays nest at the first element: 2 for {@code [[1]]}, 3 for {@code [[[1]]]}. */
    private static int depth(JsonNode node) {
        int depth = 0;
        for (JsonNode n = node; n != null && n.isArray(); n = n.isEmpty() ? null : n.get(0)) {
            depth++;
        }
        return depth;
    }

    private static int integer(JsonNode list, int index, String path) {
        JsonNode value = list.get(index);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new IllegalArgumentException(path + " = " + value + " is not an integer");
        }
        return value.intValue();
    }

    private static int[][] intMatrix(JsonNode node, String path) {
        JsonNode list = array(node, path);
        if (list.isEmpty()) {
            throw new IllegalArgumentException(path + " is empty");
        }
        int[][] rows = new int[list.size()][];
        for (int i = 0; i < rows.length; i++) {
            JsonNode row = array(list.get(i), path + "[" + i + "]");
            rows[i] = new int[row.size()];
            for (int j = 0; j < rows[i].length; j++) {
                JsonNode value = row.get(j);
                if (!value.isIntegralNumber() || !value.canConvertToInt()) {
                    throw new IllegalArgumentException(path + "[" + i + "][" + j + "] = " + value + " is not an integer");
                }
                rows[i][j] = value.intValue();
            }
        }
        return rows;
    }
}
