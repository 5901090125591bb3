package dev.lstmserve.inference;

import java.util.function.Supplier;

/**
 * Where the inference service runs a request's computation, and what it reports about it. {@code ops.ComputeLimits}
 * gives each request one: it bounds how many computations run at once (a batch of merged requests is one) and records
 * them in the metrics.
 */
public interface Computations {

    /**
     * Runs {@code work} as one computation, in a compute slot.
     *
     * @throws RuntimeException what the slot policy throws when no slot frees up in time (503), or what {@code work}
     *                          throws
     */
    <T> T run(Supplier<T> work);

    /** The computation this request {@link #run ran} held a batch of {@code requests} requests, {@code windows} rows. */
    void batched(int requests, int windows);

    /**
     * This request was computed in a batch that another request ran: it waited {@code queuedNanos} for the batch to
     * start, and the batch computed for {@code computeNanos}.
     */
    void computedInBatch(long queuedNanos, long computeNanos);
}
