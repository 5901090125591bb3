package dev.lstmserve.inference;

/**
 * {@code lstm.batching.max-queue-size} requests already wait in batches; the web layer answers 503 with
 * {@code Retry-After}, as when every compute slot stays busy.
 */
public class BatchQueueFullException extends RuntimeException {

    private final int maxQueueSize;
    private final long retryAfterSeconds;

    public BatchQueueFullException(int maxQueueSize, long retryAfterSeconds) {
        super("all " + maxQueueSize + " places in the batch queue (lstm.batching.max-queue-size) are taken; retry after "
                + retryAfterSeconds + " s");
        this.maxQueueSize = maxQueueSize;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int maxQueueSize() {
        return maxQueueSize;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
