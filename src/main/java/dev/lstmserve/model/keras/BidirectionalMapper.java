package dev.lstmserve.model.keras;

import dev.lstmserve.core.Bidirectional;
import dev.lstmserve.core.Lstm;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Keras' {@code Bidirectional} ({@code keras/src/layers/rnn/bidirectional.py}; Keras 2 {@code keras/layers/wrappers.py})
 * around an LSTM (or {@code RNN(cell=LSTMCell)}) to a {@link Bidirectional}. The weights are the forward layer's, then
 * the backward layer's. The backward layer is {@code backward_layer} when the config has one (Keras 2.3+), else the
 * wrapped layer's config with {@code go_backwards} flipped, as Keras builds it. Masked steps of its sequences are
 * zeros when the file's Keras version forces {@code zero_output_for_mask} ({@link
 * dev.lstmserve.model.KerasVersion#bidirectionalZeroesMaskedSteps()}), whatever the wrapped layers' configs say.
 */
final class BidirectionalMapper {

    private BidirectionalMapper() {
    }

    static Bidirectional map(LayerConfig config) {
        JsonNode inner = config.field("layer");
        String innerClass = inner == null ? null : inner.path("class_name").asString(null);
        if (!"LSTM".equals(innerClass) && !"RNN".equals(innerClass)) {
            throw config.refuse("Bidirectional is servable around an LSTM only; it wraps " + innerClass);
        }
        Bidirectional.MergeMode mergeMode;
        JsonNode mode = config.field("merge_mode");
        try {
            mergeMode = Bidirectional.MergeMode.byKerasName(mode == null ? "concat"
                    : mode.isNull() ? null : mode.asString());
        } catch (IllegalArgumentException e) {
            throw config.refuse(e.getMessage());
        }
        int weights = config.layer().weights().size();
        if (weights % 2 != 0 || weights == 0) {
            throw config.refuse("has " + weights + " weight arrays; expected the forward layer's and as many for the"
                    + " backward layer");
        }
        JsonNode forwardConfig = inner.path("config");
        JsonNode backward = config.field("backward_layer");
        JsonNode backwardConfig;
        if (backward != null && backward.isObject()) {
            backwardConfig = backward.path("config");
        } else {
            ObjectNode flipped = (ObjectNode) forwardConfig.deepCopy();
            flipped.put("go_backwards", !forwardConfig.path("go_backwards").asBoolean(false));
            backwardConfig = flipped;
        }
        if (backwardConfig.path("go_backwards").asBoolean(false) == forwardConfig.path("go_backwards").asBoolean(false)) {
            throw config.refuse("its backward layer has the same go_backwards as its forward layer");
        }
        String name = config.layer().name();
        // Keras 2 names the directions forward_<inner> and backward_<inner>; Keras 3's config already holds
        // forward_lstm as the inner layer's name (Keras strips the prefix the same way).
        String innerName = forwardConfig.path("name").asString(name);
        String base = innerName.startsWith("forward_") ? innerName.substring("forward_".length()) : innerName;
        Lstm forwardLayer = lstm(config, innerClass, forwardConfig, "forward_" + base, 0, weights / 2);
        Lstm backwardLayer = lstm(config, innerClass, backwardConfig, "backward_" + base, weights / 2, weights / 2);
        return new Bidirectional(name, forwardLayer, backwardLayer, mergeMode,
                config.version().bidirectionalZeroesMaskedSteps());
    }

    private static Lstm lstm(LayerConfig wrapper, String className, JsonNode config, String name, int from, int count) {
        LayerConfig rnn = new LayerConfig(wrapper.layer(), config, wrapper.version(), wrapper.source());
        LayerConfig cell = rnn;
        if (className.equals("RNN")) {
            JsonNode cellNode = config.path("cell");
            if (!"LSTMCell".equals(cellNode.path("class_name").asString(null))) {
                throw wrapper.refuse("Bidirectional(RNN) is servable with cell = LSTMCell only");
            }
            cell = new LayerConfig(wrapper.layer(), cellNode.path("config"), wrapper.version(), wrapper.source());
        }
        return LstmMapper.map(cell, rnn, name, className, from, count);
    }
}
