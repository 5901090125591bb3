package dev.lstmserve.inference;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.lstmserve.core.Activation;
import dev.lstmserve.core.Embedding;
import dev.lstmserve.core.LstmLayer;
import dev.lstmserve.model.LstmModel;

import org.springframework.stereotype.Service;

/**
 * The served model, loaded once at start-up: the only thing the controllers call.
 */
@Service
public class LstmService {

    private final LstmInference inference;

    public LstmService(LstmModel servedModel) {
        this.inference = new LstmInference(servedModel);
    }

    /**
     * @throws InvalidInputException naming the field the model cannot take
     */
    public ForwardResult forward(ForwardQuery query) {
        return inference.forward(query);
    }

    /** The engine that serves {@link #forward}, for the parity check. */
    public LstmInference inference() {
        return inference;
    }

    public LstmModel model() {
        return inference.model();
    }

    public ModelDescription describe() {
        LstmModel model = model();
        LstmLayer lstm = model.lstm();
        Embedding embedding = model.embedding();
        List<Map<String, Object>> layers = new ArrayList<>();
        if (embedding != null) {
            Map<String, Object> layer = new LinkedHashMap<>();
            layer.put("class_name", "Embedding");
            layer.put("input_dim", embedding.inputDim());
            layer.put("output_dim", embedding.outputDim());
            layer.put("mask_zero", embedding.maskZero());
            layers.add(layer);
        }
        Map<String, Object> layer = new LinkedHashMap<>();
        layer.put("class_name", "LSTM");
        layer.put("units", model.units());
        layer.put("activation", describe(lstm.activation()));
        layer.put("recurrent_activation", describe(lstm.recurrentActivation()));
        layer.put("use_bias", lstm.weights().useBias());
        layer.put("go_backwards", lstm.goBackwards());
        layers.add(layer);
        return new ModelDescription(model.name(), model.source(), model.format(), model.kerasVersion(),
                model.vocabulary() == null ? null : model.vocabulary().words(),
                embedding == null ? null : embedding.inputDim(), embedding == null ? null : embedding.outputDim(),
                model.inputSize(), model.units(), describe(lstm.activation()), describe(lstm.recurrentActivation()),
                lstm.weights().useBias(), lstm.goBackwards(), embedding != null && embedding.maskZero(),
                model.parity().size(), layers);
    }

    /** Keras' name, with the hard_sigmoid form made explicit since it depends on the Keras version. */
    private static String describe(Activation activation) {
        return switch (activation) {
            case HARD_SIGMOID_KERAS2 -> "hard_sigmoid (Keras 2: clip(0.2x + 0.5, 0, 1))";
            case HARD_SIGMOID_KERAS3 -> "hard_sigmoid (Keras 3: clip(x/6 + 0.5, 0, 1))";
            default -> activation.kerasName();
        };
    }
}
