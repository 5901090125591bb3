package dev.lstmserve.inference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.lstmserve.config.LstmProperties;
import dev.lstmserve.core.Activation;
import dev.lstmserve.core.Bidirectional;
import dev.lstmserve.core.Layer;
import dev.lstmserve.core.Lstm;
import dev.lstmserve.core.LstmLayer;
import dev.lstmserve.core.Sequential;
import dev.lstmserve.core.Tensor;
import dev.lstmserve.model.LstmModel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;

/**
 * The served model, loaded once at start-up: the only thing the controllers call.
 */
@Service
public class LstmService {

    private static final Logger log = LoggerFactory.getLogger(LstmService.class);

    private final LstmInference inference;
    /** {@code null} when batching is off. */
    private final DynamicBatcher batcher;

    /** The service without batching (for tests and tools that compute one request at a time). */
    public LstmService(LstmModel servedModel) {
        this(servedModel, LstmProperties.Batching.OFF, Duration.ofSeconds(1));
    }

    @Autowired
    public LstmService(LstmModel servedModel, LstmProperties properties) {
        this(servedModel, properties.batching(), properties.limits().retryAfter());
    }

    private LstmService(LstmModel servedModel, LstmProperties.Batching batching, Duration retryAfter) {
        this.inference = new LstmInference(servedModel);
        this.batcher = batching.enabled() ? new DynamicBatcher(inference, batching, retryAfter) : null;
        if (batching.enabled()) {
            log.info("Dynamic batching: up to {} windows per forward, {} ms queue delay, {} requests queued at most",
                    batching.maxBatchSize(), batching.maxQueueDelay().toMillis(), batching.maxQueueSize());
        }
    }

    /**
     * {@code POST /lstm/forward}.
     *
     * @throws InvalidInputException naming the field the model cannot take
     */
    public ForwardResult forward(ForwardQuery query) {
        return inference.forward(query);
    }

    /**
     * {@code POST /lstm/predict}.
     *
     * @throws InvalidInputException naming the field the model cannot take
     */
    public PredictResult predict(ForwardQuery query) {
        return inference.predict(query);
    }

    /**
     * {@code POST /lstm/forward} as the service runs it: checked, then computed in one of {@code computations}' slots,
     * alone or (with {@code lstm.batching.enabled}) in a batch with concurrent requests; the same numbers either way.
     *
     * @throws InvalidInputException   naming the field the model cannot take
     * @throws BatchQueueFullException when {@code lstm.batching.max-queue-size} requests wait already
     */
    public ForwardResult forward(ForwardQuery query, Computations computations) {
        LstmInference.Prepared prepared = inference.prepareForward(query);
        if (batcher == null) {
            return inference.finishForward(prepared, computations.run(() -> inference.run(prepared)), 0);
        }
        return batcher.submit(prepared, computations, inference::finishForward);
    }

    /**
     * {@code POST /lstm/predict} as the service runs it; see {@link #forward(ForwardQuery, Computations)}.
     *
     * @throws InvalidInputException   naming the field the model cannot take
     * @throws BatchQueueFullException when {@code lstm.batching.max-queue-size} requests wait already
     */
    public PredictResult predict(ForwardQuery query, Computations computations) {
        LstmInference.Prepared prepared = inference.preparePredict(query);
        if (batcher == null) {
            return inference.finishPredict(prepared, computations.run(() -> inference.run(prepared)), 0);
        }
        return batcher.submit(prepared, computations, inference::finishPredict);
    }

    /** Requests waiting in batches now (0 without batching). */
    public int batchQueue() {
        return batcher == null ? 0 : batcher.queued();
    }

    /** The engine that serves {@link #forward} and {@link #predict}, for the parity check. */
    public LstmInference inference() {
        return inference;
    }

    public LstmModel model() {
        return inference.model();
    }

    public ModelDescription describe() {
        LstmModel model = model();
        Sequential network = model.network();
        LstmLayer lstm = model.lstm();
        List<Map<String, Object>> layers = new ArrayList<>();
        for (int i = 0; i < network.layers().size(); i++) {
            Layer layer = network.layers().get(i);
            Map<String, Object> description = new LinkedHashMap<>();
            description.put("class_name", layer.className());
            description.put("name", layer.name());
            description.put("input_shape", Tensor.describe(network.inputShape(i)));
            description.put("output_shape", Tensor.describe(network.outputShape(i)));
            description.putAll(layer.config());
            layers.add(description);
        }
        List<Map<String, Object>> states = new ArrayList<>();
        for (Sequential.StateSlot slot : network.stateSlots()) {
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("layer", slot.layer());
            if (slot.direction() != null) {
                state.put("direction", slot.direction());
            }
            state.put("units", slot.units());
            states.add(state);
        }
        var embedding = model.embedding();
        return new ModelDescription(model.name(), model.source(), model.format(), model.kerasVersion(),
                model.backend(), model.vocabulary() == null ? null : model.vocabulary().words(),
                embedding == null ? null : embedding.inputDim(), embedding == null ? null : embedding.outputDim(),
                model.inputSize(), model.units(), describe(lstm.activation()), describe(lstm.recurrentActivation()),
                lstm.weights().useBias(), lstm.goBackwards(), embedding != null && embedding.maskZero(),
                model.forwardLayer().name(), states, model.parity().size(), layers);
    }

    /** Keras' name, with the hard_sigmoid form made explicit since it depends on the Keras version. */
    static String describe(Activation activation) {
        return switch (activation) {
            case HARD_SIGMOID_KERAS2 -> "hard_sigmoid (Keras 2: clip(0.2x + 0.5, 0, 1))";
            case HARD_SIGMOID_KERAS3 -> "hard_sigmoid (Keras 3: clip(x/6 + 0.5, 0, 1))";
            default -> activation.kerasName();
        };
    }

    /**
     * Every LSTM engine of the served model, in layer order, by where it sits: the layer's name, and for a
     * Bidirectional layer {@code <name> forward} and {@code <name> backward}. For the start-up and {@code /parity}
     * check of the fast kernels against the float64 equations ({@link dev.lstmserve.core.LstmKernelCheck}).
     */
    public Map<String, LstmLayer> engines() {
        Map<String, LstmLayer> engines = new LinkedHashMap<>();
        for (Layer layer : model().network().layers()) {
            if (layer instanceof Lstm lstm) {
                engines.put(layer.name(), lstm.engine());
            } else if (layer instanceof Bidirectional bidirectional) {
                engines.put(layer.name() + " forward", bidirectional.forwardLayer().engine());
                engines.put(layer.name() + " backward", bidirectional.backwardLayer().engine());
            }
        }
        return engines;
    }
}
