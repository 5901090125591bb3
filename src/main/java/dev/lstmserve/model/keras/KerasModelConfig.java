package dev.lstmserve.model.keras;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.lstmserve.model.ModelLoadException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Keras model config ({@code model_config}, {@code model.to_json()}, a {@code .keras} archive's config.json) reduced
 * to the single chain of layers it describes.
 *
 * <p>Forms read: Keras 1 and 2.0/2.1 Sequential ({@code "config": [layers]}, or the bare list), Keras 2.2+ / tf.keras /
 * Keras 3 Sequential ({@code "config": {"name", "layers": [...]}}), and functional models ({@code "Model"} in Keras 1/2,
 * {@code "Functional"} in Keras 3) whose layers each take exactly one tensor, output 0 of the previous layer, with one
 * input and one output. Keras 1/2 name a node's inputs {@code [["name", node, tensor, {kwargs}]]}
 * ({@code keras/engine/topology.py}, {@code functional.py} {@code deserialize_node}'s legacy case); Keras 3 writes
 * {@code {"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": ["name", node, tensor]}}],
 * "kwargs": {...}}} ({@code keras/src/models/functional.py} {@code serialize_node}).
 */
final class KerasModelConfig {

    private static final JsonMapper JSON = JsonMapper.builder()
            // Python's json.dumps writes NaN and Infinity (e.g. a clip value); Keras reads them back.
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private static final Set<String> MODEL_CLASSES = Set.of("Sequential", "Model", "Functional");

    /** One layer of the chain. */
    record Layer(String className, String name, JsonNode config) {
        String describe() {
            return "'" + name + "' (" + className + ")";
        }
    }

    /**
     * @param layers       the chain from input to output
     * @param configOrder  the same layers in the order the config lists them (Keras' {@code model.layers} order,
     *                     which a {@code .keras} archive's weight paths count in)
     * @param kerasVersion {@code keras_version} written beside the config by {@code to_json()}, or null
     * @param backend      likewise {@code backend}
     */
    record Chain(String modelClass, int[] inputShape, List<Layer> layers, List<Layer> configOrder,
                 String kerasVersion, String backend) {
    }

    private KerasModelConfig() {
    }

    static JsonNode parse(String json, String source, String what) {
        try {
            JsonNode node = JSON.readTree(json);
            if (node == null || node.isMissingNode()) {
                throw new ModelLoadException(source, what + " is empty");
            }
            return node;
        } catch (JacksonException e) {
            throw new ModelLoadException(source, what + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    static JsonNode parse(byte[] json, String source, String what) {
        try {
            JsonNode node = JSON.readTree(json);
            if (node == null || node.isMissingNode()) {
                throw new ModelLoadException(source, what + " is empty");
            }
            return node;
        } catch (JacksonException e) {
            throw new ModelLoadException(source, what + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * @param root   the model config: an object with {@code class_name} and {@code config}, or a bare list of layers
     * @param source names the file in refusals
     * @throws ModelLoadException when the config is not a single chain, naming the layers involved
     */
    static Chain chain(JsonNode root, String source) {
        String kerasVersion = root.isObject() ? text(root.get("keras_version")) : null;
        String backend = root.isObject() ? text(root.get("backend")) : null;
        String modelClass;
        JsonNode config;
        if (root.isArray()) {
            modelClass = "Sequential";
            config = root;
        } else if (root.isObject() && root.has("class_name")) {
            modelClass = root.get("class_name").asString();
            config = root.get("config");
        } else {
            throw new ModelLoadException(source, "the model config has no class_name: not a Keras model config");
        }
        List<Layer> layers;
        List<Layer> configOrder = new ArrayList<>();
        switch (modelClass) {
            case "Sequential" -> {
                JsonNode list = config != null && config.isArray() ? config : config == null ? null : config.get("layers");
                if (list == null || !list.isArray()) {
                    throw new ModelLoadException(source, "the Sequential config has no list of layers");
                }
                layers = new ArrayList<>();
                for (JsonNode node : list) {
                    layers.add(layer(node, source, false));
                }
                configOrder.addAll(layers);
            }
            case "Model", "Functional" -> layers = functionalChain(config, source, configOrder);
            default -> throw new ModelLoadException(source, "the model is a " + modelClass
                    + "; only Sequential models and functional models (Model, Functional) that are a single chain are"
                    + " servable");
        }
        if (layers.isEmpty()) {
            throw new ModelLoadException(source, "the model config has no layers");
        }
        Set<String> names = new LinkedHashSet<>();
        for (Layer layer : layers) {
            if (!names.add(layer.name())) {
                throw new ModelLoadException(source, "two layers are named '" + layer.name() + "'");
            }
        }
        return new Chain(modelClass, inputShape(root, config, layers), List.copyOf(layers), List.copyOf(configOrder),
                kerasVersion, backend);
    }

    private static Layer layer(JsonNode node, String source, boolean functional) {
        if (node == null || !node.isObject() || !node.has("class_name")) {
            throw new ModelLoadException(source, "a layer of the model config has no class_name");
        }
        String className = node.get("class_name").asString();
        JsonNode config = node.get("config");
        if (config == null || !config.isObject()) {
            throw new ModelLoadException(source, "layer of class " + className + " has no config object");
        }
        String name = functional && node.hasNonNull("name") ? node.get("name").asString() : text(config.get("name"));
        if (name == null) {
            throw new ModelLoadException(source, "a layer of class " + className + " has no name");
        }
        if (MODEL_CLASSES.contains(className)) {
            throw new ModelLoadException(source, "layer '" + name + "' (" + className + ") is a nested model;"
                    + " only a flat chain of layers is servable");
        }
        return new Layer(className, name, config);
    }

    /** A reference to one output tensor of a layer: {@code [name, node_index, tensor_index]}. */
    private record TensorRef(String layer, int node, int tensor) {
        @Override
        public String toString() {
            return tensor == 0 ? layer : layer + "[" + tensor + "]";
        }
    }

    private static List<Layer> functionalChain(JsonNode config, String source, List<Layer> configOrder) {
        if (config == null || !config.isObject() || !config.has("layers")) {
            throw new ModelLoadException(source, "the functional model config has no layers");
        }
        Map<String, Layer> byName = new LinkedHashMap<>();
        Map<String, List<TensorRef>> inputsOf = new LinkedHashMap<>();
        for (JsonNode node : config.get("layers")) {
            Layer layer = layer(node, source, true);
            if (byName.put(layer.name(), layer) != null) {
                throw new ModelLoadException(source, "two layers are named '" + layer.name() + "'");
            }
            configOrder.add(layer);
        }
        List<TensorRef> inputs = tensorRefs(config.get("input_layers"));
        List<TensorRef> outputs = tensorRefs(config.get("output_layers"));
        if (inputs.size() != 1 || outputs.size() != 1) {
            throw new ModelLoadException(source, "the model has " + inputs.size() + " input" + (inputs.size() == 1 ? "" : "s")
                    + " " + inputs + " and " + outputs.size() + " output" + (outputs.size() == 1 ? "" : "s") + " "
                    + outputs + "; only a single chain with one input and one output is servable");
        }
        for (JsonNode node : config.get("layers")) {
            Layer layer = byName.get(functionalName(node));
            inputsOf.put(layer.name(), inboundOf(node, layer, byName, source));
        }
        String input = inputs.get(0).layer();
        TensorRef output = outputs.get(0);
        if (!byName.containsKey(input) || !byName.containsKey(output.layer())) {
            throw new ModelLoadException(source, "input_layers/output_layers name a layer the config does not have ("
                    + input + ", " + output.layer() + ")");
        }
        if (output.tensor() != 0) {
            throw new ModelLoadException(source, "the model's output is output " + output.tensor() + " of layer '"
                    + output.layer() + "' (a state, not the layer's output); only a single chain is servable");
        }
        // Follow the chain from the input: each layer must feed exactly one next layer.
        Map<String, List<String>> consumers = new LinkedHashMap<>();
        inputsOf.forEach((name, refs) -> refs.forEach(ref -> consumers.computeIfAbsent(ref.layer(), k -> new ArrayList<>()).add(name)));
        List<Layer> chain = new ArrayList<>();
        Set<String> visited = new LinkedHashSet<>();
        String current = input;
        while (true) {
            if (!visited.add(current)) {
                throw new ModelLoadException(source, "layer '" + current + "' is reached twice: the graph has a cycle");
            }
            chain.add(byName.get(current));
            if (current.equals(output.layer())) {
                break;
            }
            List<String> next = consumers.getOrDefault(current, List.of());
            if (next.size() != 1) {
                throw new ModelLoadException(source, next.isEmpty()
                        ? "layer " + byName.get(current).describe() + " feeds no layer but is not the model's output"
                        : "the model branches: layer " + byName.get(current).describe() + " feeds " + next
                        + "; only a single chain is servable");
            }
            current = next.get(0);
        }
        List<String> unused = byName.keySet().stream().filter(n -> !visited.contains(n)).toList();
        if (!unused.isEmpty()) {
            throw new ModelLoadException(source, "layers " + unused + " are not on the chain from '" + input + "' to '"
                    + output.layer() + "'; only a single chain is servable");
        }
        return chain;
    }

    private static String functionalName(JsonNode node) {
        return node.hasNonNull("name") ? node.get("name").asString() : text(node.get("config").get("name"));
    }

    /** The tensors one layer's single node takes; refuses several nodes, several tensors and tensors in kwargs. */
    private static List<TensorRef> inboundOf(JsonNode node, Layer layer, Map<String, Layer> byName, String source) {
        JsonNode nodes = node.get("inbound_nodes");
        if (nodes == null || nodes.isNull() || nodes.isEmpty()) {
            if (!"InputLayer".equals(layer.className())) {
                throw new ModelLoadException(source, "layer " + layer.describe() + " has no inbound node: it is not"
                        + " connected (a second input?)");
            }
            return List.of();
        }
        if (nodes.size() != 1) {
            throw new ModelLoadException(source, "layer " + layer.describe() + " is called " + nodes.size()
                    + " times (shared layer); only a single chain is servable");
        }
        JsonNode call = nodes.get(0);
        List<TensorRef> refs = new ArrayList<>();
        List<String> kwargTensors = new ArrayList<>();
        if (call.isArray()) {
            // Keras 1/2: [["name", node, tensor, {kwargs}], ...]
            for (JsonNode input : call) {
                if (!input.isArray() || input.size() < 3) {
                    throw new ModelLoadException(source, "layer " + layer.describe() + " has an inbound node this"
                            + " reader does not understand: " + input);
                }
                refs.add(new TensorRef(input.get(0).asString(), input.get(1).asInt(), input.get(2).asInt()));
                if (input.size() > 3) {
                    collectLegacyKwargTensors(input.get(3), "", byName, kwargTensors);
                }
            }
        } else if (call.isObject()) {
            // Keras 3: {"args": [...], "kwargs": {...}} with __keras_tensor__ objects.
            collectKerasTensors(call.get("args"), refs);
            JsonNode kwargs = call.get("kwargs");
            if (kwargs != null && kwargs.isObject()) {
                for (Map.Entry<String, JsonNode> kwarg : kwargs.properties()) {
                    List<TensorRef> found = new ArrayList<>();
                    collectKerasTensors(kwarg.getValue(), found);
                    for (TensorRef ref : found) {
                        // The mask Keras 3 propagates itself is recorded as a kwarg; it is not another input.
                        boolean implicitMask = kwarg.getKey().equals("mask")
                                && (!byName.containsKey(ref.layer()) || refs.stream().anyMatch(r -> r.layer().equals(ref.layer())));
                        if (!implicitMask) {
                            kwargTensors.add(kwarg.getKey() + "=" + ref);
                        }
                    }
                }
            }
        } else {
            throw new ModelLoadException(source, "layer " + layer.describe() + " has an inbound node this reader does"
                    + " not understand: " + call);
        }
        if (!kwargTensors.isEmpty()) {
            throw new ModelLoadException(source, "layer " + layer.describe() + " takes tensors from other layers as"
                    + " arguments (" + String.join(", ", kwargTensors) + ", e.g. an initial_state); only a single chain"
                    + " is servable");
        }
        if (refs.size() != 1) {
            throw new ModelLoadException(source, "layer " + layer.describe() + " takes " + refs.size() + " inputs "
                    + refs + "; only a single chain is servable");
        }
        TensorRef ref = refs.get(0);
        if (!byName.containsKey(ref.layer())) {
            throw new ModelLoadException(source, "layer " + layer.describe() + " takes its input from '" + ref.layer()
                    + "', which the config does not have");
        }
        if (ref.tensor() != 0 || ref.node() != 0) {
            throw new ModelLoadException(source, "layer " + layer.describe() + " takes output " + ref.tensor()
                    + " of call " + ref.node() + " of '" + ref.layer() + "' (a returned state or a second call);"
                    + " only a single chain is servable");
        }
        return refs;
    }

    private static void collectKerasTensors(JsonNode node, List<TensorRef> out) {
        if (node == null || node.isNull()) {
            return;
        }
        if (node.isObject()) {
            if ("__keras_tensor__".equals(text(node.get("class_name")))) {
                JsonNode history = node.path("config").get("keras_history");
                if (history != null && history.isArray() && history.size() >= 3) {
                    out.add(new TensorRef(history.get(0).asString(), history.get(1).asInt(), history.get(2).asInt()));
                }
                return;
            }
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                collectKerasTensors(e.getValue(), out);
            }
        } else if (node.isArray()) {
            for (JsonNode e : node) {
                collectKerasTensors(e, out);
            }
        }
    }

    /** tf.keras 2.x writes tensors among kwargs as {@code ["layer", node, tensor]} lists. */
    private static void collectLegacyKwargTensors(JsonNode node, String path, Map<String, Layer> byName, List<String> out) {
        if (node == null) {
            return;
        }
        if (node.isArray() && node.size() >= 3 && node.get(0).isString() && byName.containsKey(node.get(0).asString())
                && node.get(1).isIntegralNumber() && node.get(2).isIntegralNumber()) {
            out.add(path + "=" + node.get(0).asString());
            return;
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                collectLegacyKwargTensors(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), byName, out);
            }
        } else if (node.isArray()) {
            for (JsonNode e : node) {
                collectLegacyKwargTensors(e, path, byName, out);
            }
        }
    }

    /** {@code input_layers}: {@code [["name", 0, 0], ...]}, or one {@code ["name", 0, 0]} (Keras 3, one tensor). */
    private static List<TensorRef> tensorRefs(JsonNode node) {
        List<TensorRef> refs = new ArrayList<>();
        if (node == null || node.isNull()) {
            return refs;
        }
        if (node.isArray() && node.size() >= 3 && node.get(0).isString()) {
            refs.add(new TensorRef(node.get(0).asString(), node.get(1).asInt(), node.get(2).asInt()));
            return refs;
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                refs.addAll(tensorRefs(e.getValue()));
            }
            return refs;
        }
        for (JsonNode e : node) {
            refs.addAll(tensorRefs(e));
        }
        return refs;
    }

    /**
     * The input shape without the batch axis: an InputLayer's {@code batch_input_shape} (Keras 1/2) or
     * {@code batch_shape} (Keras 3), else the first layer's {@code batch_input_shape} / {@code batch_shape} /
     * {@code input_shape}, Keras 1's {@code input_length} + {@code input_dim}, a Sequential's
     * {@code build_input_shape} or {@code build_config.input_shape}.
     */
    private static int[] inputShape(JsonNode root, JsonNode config, List<Layer> layers) {
        JsonNode first = layers.get(0).config();
        for (String key : List.of("batch_input_shape", "batch_shape")) {
            int[] shape = shapeWithoutBatch(first.get(key));
            if (shape != null) {
                return shape;
            }
        }
        JsonNode inputShape = first.get("input_shape");
        if (inputShape != null && inputShape.isArray()) {
            return dims(inputShape, 0);
        }
        if (config != null && config.isObject()) {
            int[] shape = shapeWithoutBatch(config.get("build_input_shape"));
            if (shape != null) {
                return shape;
            }
        }
        if (root.isObject()) {
            int[] shape = shapeWithoutBatch(root.path("build_config").get("input_shape"));
            if (shape != null) {
                return shape;
            }
        }
        if (first.has("input_dim") && first.has("input_length") && !"Embedding".equals(layers.get(0).className())) {
            // Keras 1 recurrent layers: input_length (T, may be null) and input_dim (E).
            return new int[] {dim(first.get("input_length")), dim(first.get("input_dim"))};
        }
        if ("Embedding".equals(layers.get(0).className()) && first.has("input_length")) {
            return new int[] {dim(first.get("input_length"))};
        }
        return null;
    }

    private static int[] shapeWithoutBatch(JsonNode shape) {
        return shape != null && shape.isArray() && !shape.isEmpty() ? dims(shape, 1) : null;
    }

    private static int[] dims(JsonNode shape, int from) {
        int[] out = new int[shape.size() - from];
        for (int i = from; i < shape.size(); i++) {
            out[i - from] = dim(shape.get(i));
        }
        return out;
    }

    private static int dim(JsonNode d) {
        return d == null || d.isNull() || !d.isNumber() ? -1 : d.asInt();
    }

    static String text(JsonNode node) {
        return node == null || node.isNull() || !node.isString() ? null : node.asString();
    }
}
