package dev.lstmserve.core;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs a sequence of steps, each split into chunks, on the calling thread and the idle helper threads it can get,
 * with a spinning hand-off between steps: the steps of an LSTM forward take microseconds, far less than waking a
 * parked thread.
 *
 * <p>Each participant owns a contiguous range of chunks and claims them in order, step after step, so a chunk's
 * weights stay in one core's cache; a participant that has done its own chunks of a step then takes the others'
 * unclaimed chunks of that step from the end of each range (work stealing, as in ONNX Runtime's and Eigen's thread
 * pools), until it meets one already claimed. A step starts once every chunk of the previous one is done. So a thread
 * on a slower core (two virtual CPUs of this machine differed by up to 25 % within one JVM) hands its last chunks to
 * the faster one instead of setting the pace of every step, and a helper that arrives late, or not at all (all busy
 * with other requests), costs nothing but its share: the caller does its chunks. Which thread runs a chunk never
 * changes what the chunk computes.
 *
 * <p>There are {@code availableProcessors − 1} daemon helpers for the whole JVM. An idle helper spins for
 * {@link #IDLE_SPIN_NANOS}, then keeps polling with {@link Thread#yield()} until {@link #IDLE_YIELD_NANOS} (so that
 * the requests of a busy service find it awake, while any other runnable thread, such as one parsing a request, gets
 * its core first), then parks until the next job. ONNX Runtime's pool threads do the same after a run (they spin
 * 10–20 ms, measured; docs/PERFORMANCE.md): a parked helper woken for each request made S2 1.3–1.6x slower.
 *
 * <p>Spinning hand-offs assume the threads have cores to themselves. When they do not (more runnable threads than
 * cores), a participant descheduled in the middle of its chunk makes the others wait for a whole scheduler time slice:
 * a 60 µs forward took 100 ms that way on this machine under a load of 12. So a caller that spent more than half of a
 * job waiting (and over {@link #STALL_NANOS}) switches the helpers off for a while: an overloaded machine has no idle
 * core to give anyway. The while starts at {@link #BACKOFF_MIN_NANOS} and doubles with each further stall up to
 * {@link #BACKOFF_MAX_NANOS}; each job that runs with helpers and does not stall halves it again
 * ({@link #nextBackoff}). A single stall is common on a shared host (a virtual CPU descheduled for a few ms: 1-4 % of
 * S2's forwards on this machine, idle otherwise), and a fixed 100 ms back-off after each one ran 18-44 % of
 * back-to-back S2 forwards on one thread (docs/PERFORMANCE.md).
 */
final class StepTeam {

    /**
     * Work for one chunk of one step; runs once per (step, chunk), steps in order, chunks of a step in any order.
     * {@code participant} (0 for the caller, below {@link #maxParticipants()}) runs one chunk at a time, so per-thread
     * scratch can be indexed by it.
     */
    @FunctionalInterface
    interface Work {
        void run(int step, int chunk, int participant);

        /**
         * Called instead of idling by a participant that waits for the others to finish the step before
         * {@code step}, once for each chunk it owns: work of that chunk of {@code step} that does not depend on the
         * previous step (an LSTM's {@code x_t·kernel}), which {@link #run} then finds done. Any thread may call it
         * while others run the previous step; at most once per (step, chunk) matters, the work decides.
         */
        default void ahead(int step, int chunk, int participant) {
        }

        /**
         * Time participant 0 (the caller) spent inside {@link #run} waiting for work another participant does (such
         * as an x part it claimed ahead), which the stall back-off counts like waiting at a barrier. Read by the
         * caller after the job.
         */
        default long callerWaitNanos() {
            return 0;
        }
    }

    /** How long an idle helper spins before it starts yielding its core to other runnable threads. */
    static final long IDLE_SPIN_NANOS = Long.getLong("lstm.engine.idle-spin-micros", 200L) * 1000L;
    /** How long an idle helper keeps polling for a job (spinning, then yielding) before it parks. */
    static final long IDLE_YIELD_NANOS = Math.max(IDLE_SPIN_NANOS,
            Long.getLong("lstm.engine.idle-poll-micros", 5_000L) * 1000L);

    /** Spins (~50 ns each on the machine measured) before a waiting participant starts yielding its core. */
    private static final int SPINS_BEFORE_YIELD = 1 << 10;

    /**
     * One round of a wait for another participant: a spin while {@code spins} (the rounds so far, this one included)
     * is at most {@link #SPINS_BEFORE_YIELD}, then {@link Thread#yield()} (the other may have been descheduled).
     */
    static void pause(int spins) {
        if (spins > SPINS_BEFORE_YIELD) {
            Thread.yield();
        } else {
            Thread.onSpinWait();
        }
    }

    /** A caller's waiting time in one job above which, if it is also over half the job, helpers are switched off. */
    static final long STALL_NANOS = 50_000L;
    /** How long helpers stay off after a stall that follows jobs without one. */
    static final long BACKOFF_MIN_NANOS = 1_000_000L;
    /** The longest helpers stay off, after stalls in a row (an overloaded machine). */
    static final long BACKOFF_MAX_NANOS = 100_000_000L;

    /** {@link System#nanoTime()} before which jobs run on their caller alone. */
    static volatile long helpersOffUntil = System.nanoTime() - 1;
    /** How long the next stall switches the helpers off; updated by every job that ran with helpers (racy: a hint). */
    static volatile long backoffNanos = BACKOFF_MIN_NANOS;

    private static final Helper[] HELPERS = startHelpers(Runtime.getRuntime().availableProcessors() - 1);

    private StepTeam() {
    }

    /** Threads that can work on one job: the caller and every helper. */
    static int maxParticipants() {
        return HELPERS.length + 1;
    }

    /**
     * Runs {@code work} for every step in order and every chunk of it, with up to {@code helpers} helper threads.
     * Returns when all chunks of all steps are done; rethrows the first failure of any chunk.
     */
    static void run(int steps, int chunks, int helpers, Work work) {
        long start = System.nanoTime();
        if (helpers <= 0 || chunks <= 1 || HELPERS.length == 0 || start - helpersOffUntil < 0) {
            for (int s = 0; s < steps; s++) {
                for (int c = 0; c < chunks; c++) {
                    work.run(s, c, 0);
                }
            }
            return;
        }
        int participants = Math.min(chunks, 1 + Math.min(helpers, HELPERS.length));
        Job job = new Job(work, steps, chunks, participants);
        // The caller is participant 0, so it owns the same chunks in every call (their weights stay in its cache).
        int me = job.join();
        int offered = 0;
        for (int i = 0; i < HELPERS.length && offered < participants - 1; i++) {
            if (HELPERS[i].offer(job)) {
                offered++;
            }
        }
        job.participate(me);
        job.awaitDone();
        if (offered > 0) {
            // Only a job that had a helper says anything about hand-offs: one that got none (the helpers were busy
            // with other requests, as on a loaded service) never waits, and must not shorten the back-off.
            long waited = job.callerWaitNanos + work.callerWaitNanos();
            boolean stalled = waited > STALL_NANOS && 2 * waited > System.nanoTime() - start;
            long backoff = backoffNanos;
            if (stalled) {
                helpersOffUntil = System.nanoTime() + backoff;
            }
            long next = nextBackoff(backoff, stalled);
            if (next != backoff) {
                backoffNanos = next;
            }
        }
        Throwable failure = job.failure;
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    /**
     * The back-off after a job that ran with helpers: doubled (up to {@link #BACKOFF_MAX_NANOS}) when it stalled, so
     * that stalls in a row, as on an overloaded machine, soon keep the helpers off for long; halved (down to
     * {@link #BACKOFF_MIN_NANOS}) when it did not, so that one stall on an otherwise idle machine costs a millisecond.
     */
    static long nextBackoff(long current, boolean stalled) {
        return stalled ? Math.min(BACKOFF_MAX_NANOS, 2 * current) : Math.max(BACKOFF_MIN_NANOS, current / 2);
    }

    private static final class Job {
        private final Work work;
        private final int steps;
        private final int chunks;
        private final int participants;
        private final long total;
        /** Per chunk, the last step it was claimed for (−1 before the first); claimed by CAS from step − 1. */
        private final PaddedCounter[] claimed;
        /**
         * Chunks done, over all steps, per participant (each writes only its own, so that finishing a chunk does not
         * contend for one cache line): step s may start once their sum reaches s · chunks.
         */
        private final PaddedCounter[] done;
        private final PaddedCounter joined = new PaddedCounter();
        /**
         * Calls of {@link Work#ahead} running now: the caller does not return before they end, so that a failure in
         * one (which holds no claimed chunk the job waits for) is reported rather than lost.
         */
        private final PaddedCounter aheadRunning = new PaddedCounter();
        private volatile Throwable failure;
        /** Time participant 0 (the caller) spent waiting for others; written and read by the caller only. */
        private long callerWaitNanos;

        Job(Work work, int steps, int chunks, int participants) {
            this.work = work;
            this.steps = steps;
            this.chunks = chunks;
            this.participants = participants;
            this.total = (long) steps * chunks;
            this.claimed = new PaddedCounter[chunks];
            for (int c = 0; c < chunks; c++) {
                claimed[c] = new PaddedCounter();
                claimed[c].set(-1);
            }
            this.done = new PaddedCounter[participants];
            for (int i = 0; i < participants; i++) {
                done[i] = new PaddedCounter();
            }
        }

        int join() {
            return (int) joined.getAndIncrement();
        }

        void participate(int me) {
            if (me >= participants) {
                return;
            }
            int first = first(me);
            int end = first(me + 1);
            for (int s = (int) (doneCount() / chunks); s < steps; s++) {
                awaitDone((long) s * chunks, me, s);
                for (int c = first; c < end; c++) {
                    tryRun(s, c, me);
                }
                // Then the others' chunks that nobody has claimed yet, from the end of each range: its owner works
                // up from the start, so the first claimed one met means the rest are taken too.
                for (int other = 1; other < participants; other++) {
                    int j = (me + other) % participants;
                    for (int c = first(j + 1) - 1; c >= first(j) && tryRun(s, c, me); c--) {
                    }
                }
            }
        }

        /** The first chunk participant {@code i} owns (participants own contiguous ranges, in order). */
        private int first(int i) {
            return (int) ((long) i * chunks / participants);
        }

        /** @return whether this participant claimed (and ran) the chunk */
        private boolean tryRun(int step, int chunk, int me) {
            PaddedCounter claim = claimed[chunk];
            if (claim.get() != step - 1 || !claim.compareAndSet(step - 1, step)) {
                return false;
            }
            try {
                if (failure == null) {
                    work.run(step, chunk, me);
                }
            } catch (Throwable t) {
                failure = t;
            } finally {
                // Only this participant writes its counter; the release store publishes the chunk's writes.
                done[me].lazySet(done[me].get() + 1);
            }
            return true;
        }

        /** Chunks done over all steps, by everyone. */
        private long doneCount() {
            long sum = 0;
            for (PaddedCounter d : done) {
                sum += d.get();
            }
            return sum;
        }

        /** The caller's wait for the whole job: every chunk done and no {@link Work#ahead} still running. */
        void awaitDone() {
            awaitDone(total, 0, -1);
            if (aheadRunning.get() == 0) {
                return;
            }
            long since = System.nanoTime();
            int spins = 0;
            while (aheadRunning.get() > 0) {
                pause(++spins);
            }
            callerWaitNanos += System.nanoTime() - since;
        }

        /**
         * Spins until {@code count} chunks are done; yields after ~50 µs (a participant preempted in its chunk). Before
         * it spins, a participant does the work of its own chunks of {@code nextStep} that can run ahead
         * ({@link Work#ahead}; none when {@code nextStep} is negative).
         */
        private void awaitDone(long count, int me, int nextStep) {
            if (doneCount() >= count) {
                return;
            }
            if (nextStep >= 0) {
                for (int c = first(me); c < first(me + 1) && doneCount() < count && failure == null; c++) {
                    aheadRunning.incrementAndGet();
                    try {
                        work.ahead(nextStep, c, me);
                    } catch (Throwable t) {
                        failure = t;
                    } finally {
                        aheadRunning.decrementAndGet();
                    }
                }
                if (doneCount() >= count) {
                    return;
                }
            }
            long since = me == 0 ? System.nanoTime() : 0;
            int spins = 0;
            while (doneCount() < count) {
                pause(++spins);
            }
            if (me == 0) {
                callerWaitNanos += System.nanoTime() - since;
            }
        }
    }

    @SuppressWarnings("unused")
    private static final class PaddedCounter extends AtomicLong {
        private long p1, p2, p3, p4, p5, p6, p7;
    }

    private static Helper[] startHelpers(int count) {
        Helper[] helpers = new Helper[Math.max(0, count)];
        for (int i = 0; i < helpers.length; i++) {
            helpers[i] = new Helper("lstm-engine-helper-" + (i + 1));
            helpers[i].start();
        }
        return helpers;
    }

    private static final class Helper extends Thread {
        private final AtomicReference<Job> slot = new AtomicReference<>();
        private volatile boolean parked;

        Helper(String name) {
            super(name);
            setDaemon(true);
        }

        /** @return whether this helper was idle and took the job */
        boolean offer(Job job) {
            if (!slot.compareAndSet(null, job)) {
                return false;
            }
            if (parked) {
                LockSupport.unpark(this);
            }
            return true;
        }

        @Override
        public void run() {
            long idleSince = System.nanoTime();
            while (true) {
                Job job = slot.get();
                if (job != null) {
                    job.participate(job.join());
                    slot.set(null);
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince < IDLE_SPIN_NANOS) {
                    Thread.onSpinWait();
                } else if (System.nanoTime() - idleSince < IDLE_YIELD_NANOS) {
                    Thread.yield();
                } else {
                    parked = true;
                    if (slot.get() == null) {
                        LockSupport.park(this);
                    }
                    parked = false;
                    idleSince = System.nanoTime();
                }
            }
        }
    }
}
