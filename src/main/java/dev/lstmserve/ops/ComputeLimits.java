package dev.lstmserve.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.lstmserve.config.LstmProperties;
import dev.lstmserve.core.Layer;
import dev.lstmserve.core.RecurrentLayer;
import dev.lstmserve.core.Sequential;
import dev.lstmserve.inference.Computations;
import dev.lstmserve.inference.LstmService;
import dev.lstmserve.model.LstmModel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The limits every compute endpoint applies before it computes, and the bound on how many requests compute at once.
 * A controller wraps its call into the inference service in {@link #compute}, so a new endpoint takes one line:
 *
 * <pre>{@code limits.compute("/lstm/predict", RequestShape.of(request.tokens(), request.text(), request.inputs()),
 *         () -> service.predict(query));}</pre>
 *
 * <p>Size limits ({@code lstm.limits.max-batch-size}, {@code max-window-length}, {@code max-steps},
 * {@code max-input-values}, and {@code max-output-values} against the served model's widest layer) are checked on the
 * parsed request first: over any, {@link LimitExceededException} (413),
 * without waiting for a slot. Then the request takes one of {@code lstm.limits.max-concurrent-requests} slots,
 * waiting at most {@code lstm.limits.max-wait}; when none frees up, {@link OverloadedException} (503 with
 * Retry-After) rather than an unbounded queue. A request that got a slot always runs to its end.
 *
 * <p>With dynamic batching ({@code lstm.batching.*}) a slot holds one computation, which may be a batch of merged
 * requests: the batch's first request waits for the slot (at most {@code max-wait}, else 503 for the whole batch),
 * the others wait in the batch without a slot. So {@code lstm_compute_active} counts computations, and each request
 * still counts once in {@code lstm_engine_seconds}, {@code lstm_batch_size} and {@code lstm_steps_total} with its own
 * windows; {@code lstm_batching_*} describe the batches.
 */
@Component
public class ComputeLimits {

    private static final Logger log = LoggerFactory.getLogger(ComputeLimits.class);

    private final LstmProperties.Limits limits;
    private final Semaphore slots;
    private final LstmMetrics metrics;
    private final LstmProperties.Batching batching;
    private final LstmService service;
    /** Each layer of the served model: values per step of a window (or per window, without a time axis). */
    private final List<LayerOutput> layerOutputs;
    /** How many layers {@code /lstm/forward} runs: up to the last recurrent one (README, "/lstm/forward"). */
    private final int forwardLayers;
    /** The first layer {@code inputs} reach: after the Embedding, as {@code LstmInference} runs them. */
    private final int inputsFrom;
    /** The model's declared window length, to which {@code text} is padded or cut; -1 when it declares none. */
    private final int declaredWindow;

    private record LayerOutput(String layer, long width, boolean perStep) {
    }

    public ComputeLimits(LstmProperties properties, LstmMetrics metrics, LstmService service) {
        this.limits = properties.limits();
        // Fair: under overload, the request that has waited longest gets the next free slot.
        this.slots = new Semaphore(limits.maxConcurrentRequests(), true);
        this.metrics = metrics;
        this.batching = properties.batching();
        this.service = service;
        List<LayerOutput> outputs = new ArrayList<>();
        LstmModel model = service.model();
        Sequential network = model.network();
        for (int i = 0; i < network.layers().size(); i++) {
            // Without the batch axis: [T, ...] for a layer that keeps the time axis, [W, ...] for one without. A
            // recurrent layer computes every step's output even when it returns only the last (LstmForwardPass).
            Layer layer = network.layers().get(i);
            int[] shape = network.outputShape(i);
            boolean recurrent = layer instanceof RecurrentLayer;
            boolean perStep = recurrent || shape.length >= 2;
            // The values after the time axis; a recurrent layer's last axis is its units (both directions').
            int from = recurrent ? shape.length - 1 : perStep ? 1 : 0;
            long width = 1;
            for (int d = from; d < shape.length; d++) {
                width *= Math.max(1, shape[d]);
            }
            outputs.add(new LayerOutput(layer.name(), width, perStep));
        }
        this.layerOutputs = List.copyOf(outputs);
        this.forwardLayers = model.forwardLayerIndex() + 1;
        this.inputsFrom = model.embedding() == null ? 0 : 1;
        this.declaredWindow = network.inputShape().length > 0 ? network.inputShape()[0] : -1;
        metrics.registerComputeSlots(limits.maxConcurrentRequests(),
                () -> limits.maxConcurrentRequests() - slots.availablePermits());
        log.info("Request limits: batch ≤ {}, window ≤ {} steps, B·T ≤ {} steps, B·T·E ≤ {} input values, "
                        + "≤ {} output values per layer; {} requests computed at once, waiting ≤ {} ms for a slot "
                        + "(then 503, Retry-After {} s)",
                limits.maxBatchSize(), limits.maxWindowLength(), limits.maxSteps(), limits.maxInputValues(),
                limits.maxOutputValues(),
                limits.maxConcurrentRequests(), limits.maxWait().toMillis(),
                OverloadedException.retryAfterSeconds(limits.retryAfter()));
    }

    /**
     * Checks {@code shape} against the size limits, waits for a compute slot, runs {@code work} in it and records
     * the {@code lstm_engine_seconds}, batch size, window length and steps metrics of {@code endpoint}.
     *
     * @param endpoint the endpoint's path, the {@code endpoint} tag of {@code lstm_engine_seconds}
     * @param shape    what the request asks for, measured on the parsed body
     * @param work     the call into the inference service
     * @throws LimitExceededException when the request asks for more than a limit allows
     * @throws OverloadedException    when no compute slot became free within {@code lstm.limits.max-wait}
     */
    public <T> T compute(String endpoint, RequestShape shape, Supplier<T> work) {
        return compute(endpoint, shape, computations -> computations.run(work));
    }

    /**
     * Checks {@code shape} against the size limits, then lets the inference service run the request with
     * {@link Computations} that hold one compute slot per {@link Computations#run run} (a request computed alone, or
     * a batch of merged requests, whose other requests wait without a slot), and records the request's
     * {@code lstm_engine_seconds} (for a batched request, its batch's), batch size, window length and steps metrics of
     * {@code endpoint}.
     *
     * @param work the call into the inference service, e.g. {@code c -> service.forward(query, c)}
     * @throws LimitExceededException when the request asks for more than a limit allows
     * @throws OverloadedException    when no compute slot became free within {@code lstm.limits.max-wait}
     */
    public <T> T compute(String endpoint, RequestShape shape, Function<Computations, T> work) {
        check(endpoint, shape);
        Request request = new Request();
        T result = work.apply(request);
        if (request.computeNanos >= 0) {
            metrics.computed(endpoint, shape, request.computeNanos);
        }
        return result;
    }

    /** One request's computations: each {@link #run} takes a slot. */
    private final class Request implements Computations {

        private long computeNanos = -1;

        @Override
        public <T> T run(Supplier<T> work) {
            acquire();
            try {
                long start = System.nanoTime();
                T result = work.get();
                computeNanos = System.nanoTime() - start;
                return result;
            } finally {
                slots.release();
            }
        }

        @Override
        public void batched(int requests, int windows) {
            metrics.batched(requests, windows);
        }

        @Override
        public void computedInBatch(long queuedNanos, long computeNanos) {
            this.computeNanos = computeNanos;
            metrics.queuedInBatch(queuedNanos);
        }
    }

    /**
     * Refuses a compute request before its body is read when it could only be refused later: every slot is busy and
     * as many requests as there are slots already wait for one (or waiting is off, {@code lstm.limits.max-wait=0}).
     * Parsing a large body costs about as much as computing a small one, so under overload a service that parsed
     * every body it then refused would spend its processors on refusals (measured: docs/OPERATIONS.md).
     *
     * <p>With dynamic batching ({@code lstm.batching.enabled}), requests that find every slot busy are what batches
     * are made of (a waiting batch is one slot waiter however many requests it holds): there a request could only be
     * refused after reading when the batch queue is full ({@code lstm.batching.max-queue-size}).
     *
     * @throws OverloadedException when the request should not even be read
     */
    public void admit() {
        if (slots.availablePermits() > 0) {
            return;
        }
        if (batching.enabled()) {
            int queued = service.batchQueue();
            if (queued >= batching.maxQueueSize()) {
                throw new OverloadedException(limits.maxConcurrentRequests(), "all " + limits.maxConcurrentRequests()
                        + " compute slots are busy and the batch queue holds " + queued + " request(s)"
                        + " (lstm.batching.max-queue-size)", limits.retryAfter());
            }
            return;
        }
        int waiting = slots.getQueueLength();
        if (limits.maxWait().isZero() || waiting >= limits.maxConcurrentRequests()) {
            throw new OverloadedException(limits.maxConcurrentRequests(), "all " + limits.maxConcurrentRequests()
                    + " compute slots (lstm.limits.max-concurrent-requests) are busy and " + waiting
                    + " request(s) wait for one", limits.retryAfter());
        }
    }

    /**
     * @param endpoint {@code /lstm/forward} checks {@code max-output-values} against the layers it runs (up to the
     *                 last recurrent layer; an earlier {@code layer} runs fewer, so this errs on the safe side), any
     *                 other against all
     * @throws LimitExceededException naming the first limit {@code shape} is over
     */
    public void check(String endpoint, RequestShape shape) {
        String field = shape.field();
        if (shape.batch() > limits.maxBatchSize()) {
            throw new LimitExceededException(field, "lstm.limits.max-batch-size", limits.maxBatchSize(),
                    shape.batch(), field + " has " + shape.batch() + " windows; the limit is "
                    + limits.maxBatchSize() + " per request (lstm.limits.max-batch-size)");
        }
        if (shape.windowLength() > limits.maxWindowLength()) {
            throw new LimitExceededException(field, "lstm.limits.max-window-length", limits.maxWindowLength(),
                    shape.windowLength(), field + " has a window of " + shape.windowLength() + " steps; the limit is "
                    + limits.maxWindowLength() + " (lstm.limits.max-window-length)");
        }
        if (shape.steps() > limits.maxSteps()) {
            throw new LimitExceededException(field, "lstm.limits.max-steps", limits.maxSteps(), shape.steps(),
                    field + " asks for " + shape.batch() + " windows × " + shape.windowLength() + " steps = "
                    + shape.steps() + " steps (B·T); the limit is " + limits.maxSteps()
                    + " per request (lstm.limits.max-steps)");
        }
        if (shape.inputValues() > limits.maxInputValues()) {
            throw new LimitExceededException(field, "lstm.limits.max-input-values", limits.maxInputValues(),
                    shape.inputValues(), field + " has " + shape.inputValues() + " numbers (B·T·E); the limit is "
                    + limits.maxInputValues() + " per request (lstm.limits.max-input-values)");
        }
        LayerOutput largest = null;
        long outputValues = 0;
        int from = "inputs".equals(field) ? inputsFrom : 0;
        int layers = "/lstm/forward".equals(endpoint) ? forwardLayers : layerOutputs.size();
        // text is made as long as the model's declared window (LstmInference.tokenize), whatever its words.
        long window = "text".equals(field) && declaredWindow > 0 ? declaredWindow : shape.windowLength();
        for (LayerOutput output : layerOutputs.subList(from, layers)) {
            long values = (long) shape.batch() * (output.perStep() ? window : 1) * output.width();
            if (values > outputValues) {
                largest = output;
                outputValues = values;
            }
        }
        if (largest != null && outputValues > limits.maxOutputValues()) {
            throw new LimitExceededException(field, "lstm.limits.max-output-values", limits.maxOutputValues(),
                    outputValues, field + " asks for " + shape.batch() + " windows × " + window
                    + " steps, for which layer '" + largest.layer() + "' (" + largest.width() + " values per "
                    + (largest.perStep() ? "step" : "window") + ") computes " + outputValues
                    + " numbers; the limit is " + limits.maxOutputValues()
                    + " per request (lstm.limits.max-output-values)");
        }
    }

    private void acquire() {
        Duration wait = limits.maxWait();
        boolean acquired;
        try {
            acquired = slots.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            throw new OverloadedException(limits.maxConcurrentRequests(), wait, limits.retryAfter());
        }
    }
}
