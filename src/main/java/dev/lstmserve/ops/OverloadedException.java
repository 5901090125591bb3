package dev.lstmserve.ops;

import java.time.Duration;

/**
 * Every compute slot stayed busy while the request waited; the web layer answers 503 with {@code Retry-After}.
 *
 * @see ComputeLimits
 */
public class OverloadedException extends RuntimeException {

    private final int maxConcurrentRequests;
    private final Duration retryAfter;

    public OverloadedException(int maxConcurrentRequests, Duration waited, Duration retryAfter) {
        this(maxConcurrentRequests, "all " + maxConcurrentRequests + " compute slots"
                + " (lstm.limits.max-concurrent-requests) stayed busy for " + waited.toMillis() + " ms", retryAfter);
    }

    OverloadedException(int maxConcurrentRequests, String why, Duration retryAfter) {
        super(why + "; retry after " + retryAfterSeconds(retryAfter) + " s");
        this.maxConcurrentRequests = maxConcurrentRequests;
        this.retryAfter = retryAfter;
    }

    public int maxConcurrentRequests() {
        return maxConcurrentRequests;
    }

    /** What the {@code Retry-After} header says: whole seconds, rounded up, at least 1. */
    public long retryAfterSeconds() {
        return retryAfterSeconds(retryAfter);
    }

    static long retryAfterSeconds(Duration retryAfter) {
        long seconds = retryAfter.toSeconds() + (retryAfter.toNanosPart() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }
}
