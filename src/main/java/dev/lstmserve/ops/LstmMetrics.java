package dev.lstmserve.ops;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import dev.lstmserve.inference.LstmService;
import dev.lstmserve.model.LstmModel;
import dev.lstmserve.parity.ParityRun;
import dev.lstmserve.parity.ParityService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;

import org.springframework.stereotype.Component;

/**
 * The service's own metrics, all named {@code lstm.*} ({@code lstm_*} at {@code /actuator/prometheus}). Histogram
 * buckets are set in {@code application.properties} ({@code management.metrics.distribution.slo.*}), so an operator
 * can change them like any Spring Boot meter's.
 */
@Component
public class LstmMetrics {

    /** Timer {@code lstm_request_seconds{endpoint, method, status}}: every request to an API endpoint. */
    public static final String REQUEST = "lstm.request";
    /** Timer {@code lstm_engine_seconds{endpoint}}: the inference service's time for one accepted request. */
    public static final String ENGINE = "lstm.engine";
    /** Distribution {@code lstm_batch_size{endpoint}}: B of each computed request. */
    public static final String BATCH_SIZE = "lstm.batch.size";
    /** Distribution {@code lstm_window_length{endpoint}}: T of each computed request. */
    public static final String WINDOW_LENGTH = "lstm.window.length";
    /** Counter {@code lstm_steps_total{endpoint}}: B·T of every computed request; its rate is steps per second. */
    public static final String STEPS = "lstm.steps";
    /** Counter {@code lstm_requests_rejected_total{reason}}: compute requests refused, by {@link Rejection}. */
    public static final String REJECTED = "lstm.requests.rejected";
    /** Gauge {@code lstm_requests_active}: compute requests being received, computed or answered right now. */
    public static final String ACTIVE = "lstm.requests.active";
    /** Gauges {@code lstm_compute_active} and {@code lstm_compute_limit}: compute slots in use, and their number. */
    public static final String COMPUTE_ACTIVE = "lstm.compute.active";
    public static final String COMPUTE_LIMIT = "lstm.compute.limit";
    /** Distribution {@code lstm_batching_requests}: requests merged into each batched computation (2 or more). */
    public static final String BATCHING_REQUESTS = "lstm.batching.requests";
    /** Distribution {@code lstm_batching_windows}: windows (rows) of each batched computation. */
    public static final String BATCHING_WINDOWS = "lstm.batching.windows";
    /** Timer {@code lstm_batching_queue_seconds}: how long a request that joined a batch waited for it to start. */
    public static final String BATCHING_QUEUE = "lstm.batching.queue";
    /** Gauge {@code lstm_batching_queued}: requests waiting in batches now (their leaders, waiting for a slot, too). */
    public static final String BATCHING_QUEUED = "lstm.batching.queued";
    /** Gauge {@code lstm_parity_passed}: 1 while the latest parity run passed, else 0. */
    public static final String PARITY_PASSED = "lstm.parity.passed";
    /** Gauge {@code lstm_parity_duration_seconds}: how long the latest parity run took. */
    public static final String PARITY_DURATION = "lstm.parity.duration";
    /** Gauge {@code lstm_parity_last_run_timestamp_seconds}: when the latest parity run ended (Unix time). */
    public static final String PARITY_LAST_RUN = "lstm.parity.last.run.timestamp";
    /** Gauge {@code lstm_model_info{name, format, keras_version}}, always 1: what is served. */
    public static final String MODEL_INFO = "lstm.model.info";

    /** Why a compute request was refused. */
    public enum Rejection {
        /** 4xx other than 413: malformed, wrong types or shapes, values the model cannot take. */
        INVALID_INPUT,
        /** 413: over the body size or a request limit. */
        TOO_LARGE,
        /** 503: no compute slot became free in time. */
        OVERLOADED;

        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    private final Counter[] rejected;
    private final AtomicInteger active = new AtomicInteger();
    /** Meters by tags, looked up once: building and registering a meter per request costs more than recording. */
    private final Map<String, ComputeMeters> computeMeters = new ConcurrentHashMap<>();
    private final Map<RequestTags, Timer> requestTimers = new ConcurrentHashMap<>();

    private record ComputeMeters(Timer engine, DistributionSummary batchSize, DistributionSummary windowLength,
                                 Counter steps) {
    }

    private record RequestTags(String endpoint, String method, int status) {
    }

    private final DistributionSummary batchingRequests;
    private final DistributionSummary batchingWindows;
    private final Timer batchingQueue;

    public LstmMetrics(MeterRegistry registry, LstmService service, ParityService parity) {
        this.registry = registry;
        this.rejected = new Counter[Rejection.values().length];
        for (Rejection reason : Rejection.values()) {
            // Registered up front, so that every reason is scraped (at 0) before the first rejection.
            rejected[reason.ordinal()] = Counter.builder(REJECTED).tag("reason", reason.tag())
                    .description("Compute requests refused, by reason").register(registry);
        }
        Gauge.builder(ACTIVE, active, AtomicInteger::get)
                .description("Compute requests in progress").register(registry);

        batchingRequests = DistributionSummary.builder(BATCHING_REQUESTS)
                .description("Requests merged into each batched computation").register(registry);
        batchingWindows = DistributionSummary.builder(BATCHING_WINDOWS)
                .description("Windows (rows) of each batched computation").register(registry);
        batchingQueue = Timer.builder(BATCHING_QUEUE)
                .description("How long a request that joined a batch waited for the batch to start").register(registry);
        Gauge.builder(BATCHING_QUEUED, service, LstmService::batchQueue)
                .description("Requests waiting in batches").register(registry);

        LstmModel model = service.model();
        Gauge.builder(MODEL_INFO, () -> 1)
                .tag("name", model.name())
                .tag("format", model.format())
                .tag("keras_version", model.kerasVersion() == null ? "unknown" : model.kerasVersion())
                .description("The served model; always 1").strongReference(true).register(registry);

        Gauge.builder(PARITY_PASSED, parity, p -> passed(p.lastRun()))
                .description("1 while the latest Keras-parity run passed, else 0").strongReference(true)
                .register(registry);
        TimeGauge.builder(PARITY_DURATION, parity, TimeUnit.NANOSECONDS,
                        p -> p.lastRun() == null ? Double.NaN : p.lastRun().duration().toNanos())
                .description("How long the latest Keras-parity run took").strongReference(true).register(registry);
        Gauge.builder(PARITY_LAST_RUN, parity,
                        p -> p.lastRun() == null ? Double.NaN : p.lastRun().finishedAt().toEpochMilli() / 1000.0)
                .baseUnit("seconds").description("When the latest Keras-parity run ended, in Unix time")
                .strongReference(true).register(registry);
    }

    private static double passed(ParityRun run) {
        return run != null && run.passed() ? 1 : 0;
    }

    void registerComputeSlots(int limit, IntSupplier inUse) {
        Gauge.builder(COMPUTE_ACTIVE, inUse, IntSupplier::getAsInt)
                .description("Compute slots in use").strongReference(true).register(registry);
        Gauge.builder(COMPUTE_LIMIT, () -> limit)
                .description("Compute slots (lstm.limits.max-concurrent-requests)").strongReference(true)
                .register(registry);
    }

    void computed(String endpoint, RequestShape shape, long nanos) {
        ComputeMeters meters = computeMeters.computeIfAbsent(endpoint, this::computeMeters);
        meters.engine().record(nanos, TimeUnit.NANOSECONDS);
        meters.batchSize().record(shape.batch());
        meters.windowLength().record(shape.windowLength());
        meters.steps().increment(shape.steps());
    }

    void batched(int requests, int windows) {
        batchingRequests.record(requests);
        batchingWindows.record(windows);
    }

    void queuedInBatch(long nanos) {
        batchingQueue.record(nanos, TimeUnit.NANOSECONDS);
    }

    private ComputeMeters computeMeters(String endpoint) {
        return new ComputeMeters(
                Timer.builder(ENGINE).tag("endpoint", endpoint)
                        .description("Computing time per computed request (embedding, LSTM; a batched"
                                + " request's batch)")
                        .register(registry),
                DistributionSummary.builder(BATCH_SIZE).tag("endpoint", endpoint)
                        .description("Windows per computed request (B)").register(registry),
                DistributionSummary.builder(WINDOW_LENGTH).tag("endpoint", endpoint)
                        .description("Steps per window of computed requests (T)").register(registry),
                Counter.builder(STEPS).tag("endpoint", endpoint)
                        .description("Steps computed (B·T); rate() gives steps per second").register(registry));
    }

    /** A compute request (a POST under /lstm/) has arrived; {@link #requestCompleted} with {@code compute} ends it. */
    public void computeRequestStarted() {
        active.incrementAndGet();
    }

    /**
     * Records one request to an API endpoint.
     *
     * @param endpoint the endpoint's path pattern, or {@code none} for a path that is not an endpoint
     * @param compute  whether it was a compute request, whose refusals are counted
     */
    public void requestCompleted(String endpoint, String method, int status, long nanos, boolean compute) {
        if (compute) {
            active.decrementAndGet();
        }
        requestTimers.computeIfAbsent(new RequestTags(endpoint, method, status), tags -> Timer.builder(REQUEST)
                        .tags("endpoint", tags.endpoint(), "method", tags.method(), "status",
                                Integer.toString(tags.status()))
                        .description("Requests to the API endpoints, from the first filter to the response")
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
        if (compute && status >= 400) {
            Rejection reason = status == 413 ? Rejection.TOO_LARGE : status == 503 ? Rejection.OVERLOADED
                    : status < 500 ? Rejection.INVALID_INPUT : null;
            if (reason != null) {
                rejected[reason.ordinal()].increment();
            }
        }
    }
}
