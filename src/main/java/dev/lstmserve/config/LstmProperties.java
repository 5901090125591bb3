package dev.lstmserve.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Everything an operator can set under {@code lstm.*}. Unknown or invalid settings stop start-up.
 *
 * @param model          which model to serve
 * @param parity         how close our numbers must be to Keras', and how often the check runs again
 * @param maxRequestSize the largest request body accepted; larger ones get 413 (default 16MB)
 * @param limits         how much work one request may ask for, and how many requests are computed at once
 * @param export         when set, write the served model as lstm-serve JSON version 2 to this file, check the file
 *                       back, and exit instead of serving ({@code --lstm.export=model.json})
 * @param batching       dynamic batching: concurrent requests merged into one forward
 */
@ConfigurationProperties(prefix = "lstm", ignoreUnknownFields = false)
public record LstmProperties(@DefaultValue Model model, @DefaultValue Parity parity,
                             @DefaultValue("16MB") DataSize maxRequestSize, @DefaultValue Limits limits,
                             @DefaultValue("") String export, @DefaultValue Batching batching) {

    public LstmProperties {
        if (maxRequestSize.toBytes() <= 0) {
            throw new IllegalArgumentException("lstm.max-request-size = " + maxRequestSize + " must be positive");
        }
    }

    /**
     * @param path           the model file to serve (env {@code LSTM_MODEL_PATH}): lstm-serve JSON, a Keras
     *                       {@code .keras} archive or a Keras {@code .h5}; empty serves the embedded default
     *                       {@code seed-toy}
     * @param configPath     the JSON config ({@code model.to_json()}) of a weights-only Keras {@code .h5}; empty
     *                       otherwise
     * @param vocabularyPath a vocabulary for {@code text} requests and {@code top_k} words: a word list (id = line) or
     *                       Keras' {@code Tokenizer.to_json()}; empty for none (or the model file's own)
     */
    public record Model(@DefaultValue("") String path, @DefaultValue("") String configPath,
                        @DefaultValue("") String vocabularyPath) {
    }

    /**
     * Tolerances of the parity check, as numpy's {@code allclose}: {@code |actual - expected| ≤ atol + rtol·|expected|}.
     *
     * @param rtol     relative tolerance, default 1e-5
     * @param atol     absolute tolerance, default 1e-6 (an absolute floor suited to float32)
     * @param interval how often the check runs again in the background, default 60s; health and readiness report
     *                 the latest run (of this schedule, of start-up or of {@code GET /parity}), so a probe never
     *                 waits for the check
     */
    public record Parity(@DefaultValue("1e-5") double rtol, @DefaultValue("1e-6") double atol,
                         @DefaultValue("60s") Duration interval) {

        public Parity {
            if (!(rtol >= 0) || !(atol >= 0) || Double.isInfinite(rtol) || Double.isInfinite(atol)) {
                throw new IllegalArgumentException("lstm.parity.rtol = " + rtol + " and lstm.parity.atol = " + atol
                        + " must be finite and ≥ 0");
            }
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("lstm.parity.interval = " + interval + " must be positive");
            }
        }
    }

    /**
     * What one request may ask for, and how much is computed at once. A request over a size limit gets 413 naming the
     * limit; one that finds every compute slot busy for {@code maxWait} gets 503 with {@code Retry-After}.
     *
     * @param maxBatchSize          most windows in one request (B), default 1024
     * @param maxWindowLength       most steps in one window (T; words for {@code text}), default 4096
     * @param maxSteps              most steps in one request, B·T, default 262144 (2^18)
     * @param maxInputValues        most numbers in one request's {@code inputs}, B·T·E, default 4194304 (2^22)
     * @param maxOutputValues       most numbers in the largest output any layer computes for one request, B·T·W for
     *                              the widest layer (W values per step; B·W for a layer without a time axis), default
     *                              16777216 (2^24, 64 MiB of float32): a 1024-unit layer at the B·T limit would
     *                              otherwise need 1 GiB for one request's outputs
     * @param maxConcurrentRequests most requests computed at the same time; unset means twice the processors the
     *                              JVM sees (4 on 2 cores)
     * @param maxWait               how long a request may wait for a compute slot before it gets 503, default 100ms
     * @param retryAfter            what the 503's {@code Retry-After} header tells the client, default 1s (whole
     *                              seconds, rounded up)
     */
    public record Limits(@DefaultValue("1024") int maxBatchSize, @DefaultValue("4096") int maxWindowLength,
                         @DefaultValue("262144") long maxSteps, @DefaultValue("4194304") long maxInputValues,
                         @DefaultValue("16777216") long maxOutputValues, Integer maxConcurrentRequests,
                         @DefaultValue("100ms") Duration maxWait,
                         @DefaultValue("1s") Duration retryAfter) {

        public Limits {
            positive("lstm.limits.max-batch-size", maxBatchSize);
            positive("lstm.limits.max-window-length", maxWindowLength);
            positive("lstm.limits.max-steps", maxSteps);
            positive("lstm.limits.max-input-values", maxInputValues);
            positive("lstm.limits.max-output-values", maxOutputValues);
            if (maxConcurrentRequests == null) {
                maxConcurrentRequests = 2 * Runtime.getRuntime().availableProcessors();
            }
            positive("lstm.limits.max-concurrent-requests", maxConcurrentRequests);
            if (maxWait.isNegative()) {
                throw new IllegalArgumentException("lstm.limits.max-wait = " + maxWait + " must not be negative");
            }
            if (retryAfter.isNegative() || retryAfter.isZero()) {
                throw new IllegalArgumentException("lstm.limits.retry-after = " + retryAfter + " must be positive");
            }
        }

        private static void positive(String property, long value) {
            if (value <= 0) {
                throw new IllegalArgumentException(property + " = " + value + " must be positive");
            }
        }
    }

    /**
     * Dynamic batching, after Triton's dynamic batcher and TF Serving's batching: requests that arrive while every
     * compute slot is busy, and that run the same layers over windows of the same length from the same kind of input
     * (token ids or {@code inputs}; with or without initial states), wait in one batch for the next free slot and are
     * then computed as one forward, each request getting its own rows back. A request that finds a slot free runs at
     * once, alone. A batch takes one compute slot ({@code lstm.limits.max-concurrent-requests} counts computations);
     * if no slot frees up within {@code lstm.limits.max-wait}, every request in it gets 503. The engine gives a window
     * the same bits whatever else is in its batch, so batching changes no number.
     *
     * @param enabled       whether requests are batched, default false: measured (docs/PERFORMANCE.md, "Batching,
     *                      measured again") on B = 1 requests of an E = 128, H = 256 model it gained at most 1.2x at
     *                      concurrency 64 and lost up to 13 % at 1 and 16, HTTP and JSON costing more than the engine
     *                      work a batch shares; on an H = 512 model it gained 1.5-1.8x at 64
     * @param maxBatchSize  most windows (rows, summed over the merged requests) in one batch, default 64; a request
     *                      that does not fit starts the next batch
     * @param maxQueueDelay how long a batch that has got its slot still waits for more requests before it starts,
     *                      default 0 (start at once: the batch holds whatever arrived while it waited for the slot);
     *                      a longer delay adds up to that much latency to every batched request
     * @param maxQueueSize  most requests waiting in batches at once; one more gets 503 with {@code Retry-After},
     *                      default 256
     */
    public record Batching(@DefaultValue("false") boolean enabled, @DefaultValue("64") int maxBatchSize,
                           @DefaultValue("0ms") Duration maxQueueDelay, @DefaultValue("256") int maxQueueSize) {

        /** Every request computed alone. */
        public static final Batching OFF = new Batching(false, 1, Duration.ZERO, 1);

        public Batching {
            Limits.positive("lstm.batching.max-batch-size", maxBatchSize);
            Limits.positive("lstm.batching.max-queue-size", maxQueueSize);
            if (maxQueueDelay.isNegative()) {
                throw new IllegalArgumentException("lstm.batching.max-queue-delay = " + maxQueueDelay
                        + " must not be negative");
            }
        }
    }
}
