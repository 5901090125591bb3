package dev.lstmserve.inference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import dev.lstmserve.config.LstmProperties;
import dev.lstmserve.core.Sequential;

/**
 * Dynamic batching (Triton's dynamic batcher, TF Serving's batching): requests with equal
 * {@link LstmInference.Prepared#batchKey()}s that wait for a compute slot at the same time wait in one batch, which
 * then runs as one forward; each request takes its own rows of the result.
 *
 * <p>No thread of its own: the first request of a batch leads it. The leader asks its {@link Computations} for a slot;
 * while it waits, later requests join its batch (up to {@code max-batch-size} rows). Once it has the slot it closes the
 * batch (after {@code max-queue-delay}, when that is not zero and the batch is not full), runs it, and wakes the
 * others. A request that finds a slot free is the only one in its batch and runs at once: batching costs an idle
 * service nothing. Each request is checked in its own thread before it joins, so its errors name its own fields, and
 * each shapes its own answer after the batch ran.
 *
 * <p>If the merged forward fails (a row left float32), every request runs again alone, so that each gets its own
 * answer or its own error with its own row. If the leader gets no slot in time, every request of the batch gets the
 * same 503.
 */
final class DynamicBatcher {

    /** {@link LstmInference#finishForward} or {@link LstmInference#finishPredict}. */
    interface Finish<R> {
        R apply(LstmInference.Prepared prepared, Sequential.Run run, int row);
    }

    private final LstmInference inference;
    private final int maxBatchSize;
    private final long maxQueueDelayNanos;
    private final int maxQueueSize;
    private final long retryAfterSeconds;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition joined = lock.newCondition();
    /** The batch each key's requests join, while its leader waits for a slot. */
    private final Map<Object, Batch> open = new HashMap<>();
    private int queued;

    DynamicBatcher(LstmInference inference, LstmProperties.Batching batching, Duration retryAfter) {
        this.inference = inference;
        this.maxBatchSize = batching.maxBatchSize();
        this.maxQueueDelayNanos = batching.maxQueueDelay().toNanos();
        this.maxQueueSize = batching.maxQueueSize();
        this.retryAfterSeconds = Math.max(1, retryAfter.toSeconds() + (retryAfter.toNanosPart() > 0 ? 1 : 0));
    }

    /** Requests waiting in batches now (their leaders included), for the metrics. */
    int queued() {
        lock.lock();
        try {
            return queued;
        } finally {
            lock.unlock();
        }
    }

    <R> R submit(LstmInference.Prepared prepared, Computations computations, Finish<R> finish) {
        long enqueued = System.nanoTime();
        Batch batch;
        int index;
        lock.lock();
        try {
            if (queued >= maxQueueSize) {
                throw new BatchQueueFullException(maxQueueSize, retryAfterSeconds);
            }
            Object key = prepared.batchKey();
            batch = open.get(key);
            if (batch == null || batch.rows + prepared.batch() > maxBatchSize) {
                batch = new Batch(key);
                if (prepared.batch() < maxBatchSize) {
                    open.put(key, batch);
                }
            } else {
                joined.signalAll();
            }
            index = batch.add(prepared);
            queued++;
        } finally {
            lock.unlock();
        }
        if (index == 0) {
            lead(batch, computations);
        } else {
            batch.awaitDone();
            if (batch.failure == null && batch.run != null) {
                computations.computedInBatch(batch.started - enqueued, batch.computeNanos);
            }
        }
        if (batch.failure != null) {
            throw batch.failure;
        }
        if (batch.run == null) {
            return finish.apply(prepared, computations.run(() -> inference.run(prepared)), 0);
        }
        return finish.apply(prepared, batch.run, batch.offsets.get(index));
    }

    private void lead(Batch batch, Computations computations) {
        try {
            computations.run(() -> {
                LstmInference.Prepared[] members = close(batch);
                batch.started = System.nanoTime();
                if (members.length == 1) {
                    batch.run = inference.run(members);
                } else {
                    computations.batched(members.length, batch.rows);
                    try {
                        batch.run = inference.run(members);
                    } catch (RuntimeException e) {
                        batch.run = null;
                    }
                }
                batch.computeNanos = System.nanoTime() - batch.started;
                return null;
            });
        } catch (RuntimeException e) {
            close(batch);
            batch.failure = e;
        } finally {
            batch.done.countDown();
        }
    }

    /** No one joins {@code batch} any more; its members, in row order. */
    private LstmInference.Prepared[] close(Batch batch) {
        lock.lock();
        try {
            if (batch.closed) {
                return batch.members.toArray(new LstmInference.Prepared[0]);
            }
            if (maxQueueDelayNanos > 0) {
                long deadline = System.nanoTime() + maxQueueDelayNanos;
                long left;
                while (batch.rows < maxBatchSize && (left = deadline - System.nanoTime()) > 0) {
                    try {
                        joined.awaitNanos(left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            batch.closed = true;
            open.remove(batch.key, batch);
            queued -= batch.members.size();
            return batch.members.toArray(new LstmInference.Prepared[0]);
        } finally {
            lock.unlock();
        }
    }

    private static final class Batch {

        final Object key;
        final List<LstmInference.Prepared> members = new ArrayList<>(4);
        final List<Integer> offsets = new ArrayList<>(4);
        final CountDownLatch done = new CountDownLatch(1);
        int rows;
        boolean closed;
        // Written by the leader before done.countDown(), read by the others after done.await().
        Sequential.Run run;
        RuntimeException failure;
        long started;
        long computeNanos;

        Batch(Object key) {
            this.key = key;
        }

        int add(LstmInference.Prepared prepared) {
            members.add(prepared);
            offsets.add(rows);
            rows += prepared.batch();
            return members.size() - 1;
        }

        void awaitDone() {
            boolean interrupted = false;
            while (true) {
                try {
                    done.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
