package dev.lstmserve.model.keras;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.lstmserve.core.ActivationLayer;
import dev.lstmserve.core.Bidirectional;
import dev.lstmserve.core.Dense;
import dev.lstmserve.core.Embedding;
import dev.lstmserve.core.Flatten;
import dev.lstmserve.core.Layer;
import dev.lstmserve.core.Lstm;
import dev.lstmserve.core.Masking;
import dev.lstmserve.core.PassThrough;
import dev.lstmserve.core.Sequential;
import dev.lstmserve.core.TimeDistributed;
import dev.lstmserve.model.KerasVersion;
import dev.lstmserve.model.ModelLoadException;
import tools.jackson.databind.JsonNode;

/**
 * A {@link KerasModelSpec} as core layers: one mapping per Keras layer class, following each class's config and
 * weights in the Keras version that wrote the file (DL4J's {@code KerasLSTM}, {@code KerasBidirectional} mappers
 * are the model). Anything else is refused naming the file, the layer's name and class, and the reason.
 */
public final class KerasModelMapper {

    /** Classes that only act while training: the identity at inference (keras/src/layers/regularization/). */
    private static final Set<String> TRAINING_ONLY = Set.of("Dropout", "SpatialDropout1D", "GaussianNoise",
            "GaussianDropout", "AlphaDropout", "ActivityRegularization");

    /** Well-known classes that are not servable, with the reason given to the operator. */
    private static final Map<String, String> NOT_SERVABLE = Map.ofEntries(
            Map.entry("GRU", "GRU layers are not servable: lstm-serve runs LSTM layers only"),
            Map.entry("CuDNNGRU", "GRU layers are not servable: lstm-serve runs LSTM layers only"),
            Map.entry("SimpleRNN", "SimpleRNN layers are not servable: lstm-serve runs LSTM layers only"),
            Map.entry("CuDNNLSTM", "CuDNNLSTM (two biases, cuDNN's formulation) is not servable; save the model with"
                    + " a plain LSTM layer (tf.keras converts CuDNNLSTM weights to LSTM)"),
            Map.entry("ConvLSTM1D", "convolutional LSTMs are not servable"),
            Map.entry("ConvLSTM2D", "convolutional LSTMs are not servable"));

    private KerasModelMapper() {
    }

    /**
     * @throws ModelLoadException naming the file, the layer and the reason when a layer is not servable or its
     *                            config and weights disagree
     */
    public static Sequential map(KerasModelSpec spec) {
        KerasVersion version = version(spec);
        List<Layer> layers = new ArrayList<>();
        for (KerasLayerSpec layer : spec.layers()) {
            if (layer.className().equals("InputLayer")) {
                if (!layer.weights().isEmpty()) {
                    throw new ModelLoadException(spec.source(), "layer " + layer.describe() + " has weights");
                }
                continue;
            }
            try {
                layers.add(map(new LayerConfig(layer, layer.config(), version, spec.source())));
            } catch (LayerConfig.MappingException e) {
                throw new ModelLoadException(spec.source(), "layer " + e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new ModelLoadException(spec.source(), "layer " + layer.describe() + ": " + e.getMessage(), e);
            }
        }
        if (layers.isEmpty()) {
            throw new ModelLoadException(spec.source(), "the model has no layers besides its input");
        }
        try {
            return new Sequential(layers, inputShape(spec, layers.get(0)));
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(spec.source(), "the layers do not fit together: " + e.getMessage(), e);
        }
    }

    /**
     * The Keras version whose rules the mappers follow: a legacy .h5 without {@code keras_version} is
     * {@link KerasVersion#UNKNOWN}; a .keras archive is Keras 3 even without its metadata, and so is lstm-serve JSON
     * without {@code keras_version} (documented).
     */
    static KerasVersion version(KerasModelSpec spec) {
        if (spec.kerasVersion() == null && (KerasModelSpec.KERAS_H5.equals(spec.format())
                || KerasModelSpec.KERAS_H5_WEIGHTS_JSON.equals(spec.format()))) {
            return KerasVersion.UNKNOWN;
        }
        try {
            return KerasVersion.parse(spec.kerasVersion());
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(spec.source(), e.getMessage(), e);
        }
    }

    private static Layer map(LayerConfig config) {
        KerasLayerSpec layer = config.layer();
        String className = layer.className();
        if (TRAINING_ONLY.contains(className)) {
            config.expectWeights("none (" + className + " has no weights)", 0);
            return new PassThrough(layer.name(), className);
        }
        if (NOT_SERVABLE.containsKey(className)) {
            throw config.refuse(NOT_SERVABLE.get(className));
        }
        return switch (className) {
            case "LSTM" -> {
                config.expectWeights("kernel, recurrent_kernel, bias (or Keras 1's 12 arrays)", 2, 3, 12);
                refuseZeroOutputForMask(config);
                yield LstmMapper.map(config, config, layer.name(), "LSTM", 0, layer.weights().size());
            }
            case "RNN" -> {
                refuseZeroOutputForMask(config);
                yield rnn(config);
            }
            case "Bidirectional" -> BidirectionalMapper.map(config);
            case "Dense" -> DenseMapper.map(config, layer.name(), 0);
            case "TimeDistributed" -> timeDistributed(config);
            case "Embedding" -> embedding(config);
            case "Masking" -> {
                config.expectWeights("none", 0);
                JsonNode value = config.field("mask_value");
                yield new Masking(layer.name(), value == null || value.isNull() ? 0f : (float) value.doubleValue());
            }
            case "Activation" -> {
                config.expectWeights("none", 0);
                yield new ActivationLayer(layer.name(), config.activation(null, "activation"));
            }
            case "Flatten" -> {
                config.expectWeights("none", 0);
                if ("channels_first".equals(config.string(null, "data_format"))) {
                    throw config.refuse("data_format = channels_first transposes a sequence before flattening; only"
                            + " channels_last (Keras' default) is servable");
                }
                yield new Flatten(layer.name());
            }
            default -> throw config.refuse(className + " layers are not servable. Servable: InputLayer, Embedding,"
                    + " Masking, LSTM, RNN(cell=LSTMCell), Bidirectional(LSTM), Dropout, SpatialDropout1D,"
                    + " GaussianNoise, GaussianDropout, Flatten, Dense, TimeDistributed(Dense), Activation");
        };
    }

    /**
     * {@code zero_output_for_mask=True} makes Keras' {@code backend.rnn} emit zeros at masked steps (and as the last
     * output when the last step is masked) instead of the previous output; the engine does the latter only, so such a
     * layer is refused rather than served with other numbers. (Inside a Bidirectional layer Keras sets it itself; the
     * Bidirectional mapper handles that.)
     */
    private static void refuseZeroOutputForMask(LayerConfig config) {
        if (config.bool(false, "zero_output_for_mask")) {
            throw config.refuse("zero_output_for_mask = true (masked steps output zeros, not the previous output) is"
                    + " not servable for a recurrent layer outside a Bidirectional wrapper");
        }
    }

    /** {@code RNN(cell=LSTMCell(...))}: an LSTM under another class. */
    private static Lstm rnn(LayerConfig config) {
        JsonNode cell = config.field("cell");
        String cellClass = cell == null ? null : cell.path("class_name").asString(null);
        if (cell == null || !cell.isObject() || !"LSTMCell".equals(cellClass)) {
            throw config.refuse("an RNN is servable with cell = LSTMCell only; its cell is "
                    + (cell == null ? "missing" : cell.isArray() ? "a list of cells (StackedRNNCells)"
                    : String.valueOf(cellClass)));
        }
        config.expectWeights("the LSTMCell's kernel, recurrent_kernel, bias", 2, 3);
        LayerConfig cellConfig = new LayerConfig(config.layer(), cell.path("config"), config.version(), config.source());
        return LstmMapper.map(cellConfig, config, config.layer().name(), "RNN", 0, config.layer().weights().size());
    }

    private static TimeDistributed timeDistributed(LayerConfig config) {
        JsonNode inner = config.field("layer");
        String innerClass = inner == null ? null : inner.path("class_name").asString(null);
        if (!"Dense".equals(innerClass)) {
            throw config.refuse("TimeDistributed is servable around a Dense layer only; it wraps " + innerClass);
        }
        LayerConfig dense = new LayerConfig(config.layer(), inner.path("config"), config.version(), config.source());
        String name = inner.path("config").path("name").asString(config.layer().name() + "_dense");
        return new TimeDistributed(config.layer().name(), DenseMapper.map(dense, name, 0));
    }

    private static Embedding embedding(LayerConfig config) {
        config.expectWeights("embeddings", 1);
        int inputDim = config.integer("input_dim");
        int outputDim = config.integer("output_dim");
        KerasWeight embeddings = config.weight(0, "embeddings", inputDim, outputDim);
        return new Embedding(config.layer().name(), Weights.rows(embeddings), config.bool(false, "mask_zero"));
    }

    /**
     * The model's input shape without batch; where the file leaves the feature size open, the first layer's weights
     * fix it.
     */
    private static int[] inputShape(KerasModelSpec spec, Layer first) {
        int[] declared = spec.inputShape();
        if (first instanceof Embedding) {
            return declared != null && declared.length == 1 ? declared : new int[] {-1};
        }
        int features = -1;
        if (first instanceof Lstm lstm) {
            features = lstm.engine().weights().inputSize();
        } else if (first instanceof Bidirectional bidirectional) {
            features = bidirectional.forwardLayer().engine().weights().inputSize();
        } else if (first instanceof Dense dense) {
            features = dense.inputSize();
        } else if (first instanceof TimeDistributed timeDistributed) {
            features = timeDistributed.layer().inputSize();
        }
        if (declared != null && declared.length == 2) {
            return new int[] {declared[0], declared[1] >= 0 ? declared[1] : features};
        }
        return new int[] {-1, features};
    }
}
