package dev.lstmserve.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The per-step hand-off: every (step, chunk) exactly once, a step only after the whole previous one, failures out. */
class StepTeamTests {

    @Test
    void runsEveryChunkOnceAndEachStepAfterThePreviousOne() {
        int steps = 300;
        int chunks = 5;
        AtomicIntegerArray runs = new AtomicIntegerArray(steps * chunks);
        AtomicLong finished = new AtomicLong();
        AtomicLong violations = new AtomicLong();
        StepTeam.run(steps, chunks, StepTeam.maxParticipants() - 1, (step, chunk, participant) -> {
            // Every chunk of the previous steps is finished before any chunk of this one starts.
            if (finished.get() < (long) step * chunks) {
                violations.incrementAndGet();
            }
            runs.incrementAndGet(step * chunks + chunk);
            finished.incrementAndGet();
        });
        for (int i = 0; i < runs.length(); i++) {
            assertThat(runs.get(i)).as("step %d chunk %d", i / chunks, i % chunks).isEqualTo(1);
        }
        assertThat(violations.get()).isZero();
    }

    @Test
    void aParticipantRunsOneChunkAtATimeSoItsScratchIsItsOwn() {
        int participants = StepTeam.maxParticipants();
        AtomicIntegerArray running = new AtomicIntegerArray(participants);
        AtomicLong overlaps = new AtomicLong();
        AtomicLong outOfRange = new AtomicLong();
        StepTeam.run(200, 16, participants - 1, (step, chunk, participant) -> {
            if (participant < 0 || participant >= participants) {
                outOfRange.incrementAndGet();
                return;
            }
            if (running.incrementAndGet(participant) != 1) {
                overlaps.incrementAndGet();
            }
            Thread.onSpinWait();
            running.decrementAndGet(participant);
        });
        assertThat(outOfRange.get()).isZero();
        assertThat(overlaps.get()).isZero();
    }

    @Test
    void aSlowParticipantsLastChunksAreTakenByTheOthers() {
        assumeTrue(StepTeam.maxParticipants() > 1, "one core: no helpers");
        int steps = 20;
        int chunks = 8;
        // The caller (participant 0) owns chunks 0-3 of each step; each of its chunks takes 1 ms, a helper's none.
        AtomicIntegerArray ranBy = new AtomicIntegerArray(steps * chunks);
        StepTeam.run(steps, chunks, 1, (step, chunk, participant) -> {
            ranBy.set(step * chunks + chunk, participant);
            if (participant == 0) {
                sleep(1);
            }
        });
        int helperChunks = 0;
        int taken = 0;
        for (int i = 0; i < ranBy.length(); i++) {
            helperChunks += ranBy.get(i) != 0 ? 1 : 0;
            taken += ranBy.get(i) != 0 && i % chunks < chunks / 2 ? 1 : 0;
        }
        assumeTrue(helperChunks > 0, "the helper was busy elsewhere and took no part");
        assertThat(taken).as("the caller's chunks a helper ran").isGreaterThan(0);
        // Taken from the end of the caller's range: in each step, the helper's share of chunks 0-3 is a tail of it.
        for (int s = 0; s < steps; s++) {
            boolean helperSince = false;
            for (int c = 0; c < chunks / 2; c++) {
                boolean helper = ranBy.get(s * chunks + c) != 0;
                assertThat(helper || !helperSince).as("step %d chunk %d run by the caller after a taken one", s, c)
                        .isTrue();
                helperSince |= helper;
            }
        }
    }

    @Test
    void aWaitingParticipantWorksAheadOnlyOnItsOwnChunksOfTheNextStep() {
        assumeTrue(StepTeam.maxParticipants() > 1, "one core: no helpers");
        int steps = 30;
        int chunks = 4;
        int participants = 2;
        AtomicLong aheadCalls = new AtomicLong();
        AtomicLong wrong = new AtomicLong();
        AtomicIntegerArray ranBy = new AtomicIntegerArray(steps * chunks);
        AtomicIntegerArray started = new AtomicIntegerArray(steps);
        StepTeam.run(steps, chunks, 1, new StepTeam.Work() {
            @Override
            public void run(int step, int chunk, int participant) {
                started.incrementAndGet(step);
                ranBy.set(step * chunks + chunk, participant);
                // The caller's range is slow whoever runs it: a helper that starts first and takes the caller's
                // chunks too would otherwise run every step alone and never wait at a barrier.
                if (chunk < chunks / participants) {
                    sleep(1);
                }
            }

            @Override
            public void ahead(int step, int chunk, int participant) {
                aheadCalls.incrementAndGet();
                int first = chunk * participants / chunks;
                // The next step, once the previous one has started (a participant waits for it to end), and a chunk
                // of the caller's own range. (Whether the previous step has ended by then is a race: the waiter may
                // be descheduled between its check and the call.)
                if (step < 1 || step >= steps || started.get(step - 1) == 0 || participant != first) {
                    wrong.incrementAndGet();
                }
            }
        });
        int helperChunks = 0;
        for (int i = 0; i < ranBy.length(); i++) {
            helperChunks += ranBy.get(i) != 0 ? 1 : 0;
        }
        assumeTrue(helperChunks > 0, "the helper was busy elsewhere and took no part");
        assertThat(aheadCalls.get()).as("calls while a participant waited for the slow chunks").isGreaterThan(0);
        assertThat(wrong.get()).isZero();
    }

    @Test
    void aFailureOfWorkAheadFailsTheRunEvenWhenEveryChunkIsDoneBeforeIt() {
        assumeTrue(StepTeam.maxParticipants() > 1, "one core: no helpers");
        AtomicLong aheadCalls = new AtomicLong();
        // The helper works ahead at step 1's barrier while the caller is still in step 0, and fails 100 ms later;
        // the caller meanwhile does every chunk of every step (steals the helper's), so no chunk waits for it.
        Throwable thrown = catchThrowable(() -> StepTeam.run(3, 2, 1, new StepTeam.Work() {
            @Override
            public void run(int step, int chunk, int participant) {
                if (participant == 0 && step == 0) {
                    sleep(20);
                }
            }

            @Override
            public void ahead(int step, int chunk, int participant) {
                if (participant != 0 && aheadCalls.getAndIncrement() == 0) {
                    sleep(100);
                    throw new IllegalStateException("ahead failed");
                }
            }
        }));
        assumeTrue(aheadCalls.get() > 0, "the helper was busy elsewhere and took no part");
        assertThat(thrown).isInstanceOf(IllegalStateException.class).hasMessage("ahead failed");
    }

    @Test
    void concurrentJobsEachCompleteWhetherOrNotTheyGetAHelper() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<?>[] jobs = new Future<?>[16];
            for (int j = 0; j < jobs.length; j++) {
                jobs[j] = pool.submit(() -> {
                    AtomicLong sum = new AtomicLong();
                    StepTeam.run(50, 3, 1, (step, chunk, participant) -> sum.addAndGet(step * 3L + chunk));
                    assertThat(sum.get()).isEqualTo(149L * 150 / 2);
                });
            }
            for (Future<?> job : jobs) {
                job.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailingChunkFailsTheRunWithItsException() {
        assertThatThrownBy(() -> StepTeam.run(10, 2, 1, (step, chunk, participant) -> {
            if (step == 4 && chunk == 1) {
                throw new IllegalStateException("chunk 1 of step 4");
            }
        })).isInstanceOf(IllegalStateException.class).hasMessage("chunk 1 of step 4");
        // The helpers are free again afterwards.
        AtomicLong count = new AtomicLong();
        StepTeam.run(10, 2, 1, (step, chunk, participant) -> count.incrementAndGet());
        assertThat(count.get()).isEqualTo(20);
    }

    @Test
    void stallsInARowLengthenTheBackOffToItsCapAndJobsWithoutOneShortenItToItsFloor() {
        long backoff = StepTeam.BACKOFF_MIN_NANOS;
        int stallsToCap = 0;
        while (backoff < StepTeam.BACKOFF_MAX_NANOS) {
            long next = StepTeam.nextBackoff(backoff, true);
            assertThat(next).isGreaterThan(backoff);
            backoff = next;
            stallsToCap++;
        }
        // 1 ms doubled 7 times passes 100 ms: an overloaded machine keeps its helpers off after a handful of stalls.
        assertThat(stallsToCap).isEqualTo(7);
        assertThat(backoff).isEqualTo(StepTeam.BACKOFF_MAX_NANOS);
        assertThat(StepTeam.nextBackoff(backoff, true)).isEqualTo(StepTeam.BACKOFF_MAX_NANOS);
        // A single stall between good jobs costs the shortest back-off again after as many good jobs.
        for (int i = 0; i < stallsToCap; i++) {
            backoff = StepTeam.nextBackoff(backoff, false);
        }
        assertThat(backoff).isEqualTo(StepTeam.BACKOFF_MIN_NANOS);
        assertThat(StepTeam.nextBackoff(backoff, false)).isEqualTo(StepTeam.BACKOFF_MIN_NANOS);
    }

    @Test
    void jobsThatGetNoHelperDoNotShortenTheBackOffOfAStalledOne() throws Exception {
        assumeTrue(StepTeam.maxParticipants() > 1, "one core: no helpers");
        Thread.sleep(20);
        StepTeam.helpersOffUntil = System.nanoTime() - 1;
        StepTeam.backoffNanos = StepTeam.BACKOFF_MAX_NANOS / 2;
        CountDownLatch helperBusy = new CountDownLatch(1);
        Thread otherCaller = new Thread(() -> {
            try {
                helperBusy.await();
            } catch (InterruptedException e) {
                return;
            }
            // Every helper is busy with the stalled job: these run on their caller alone and never wait.
            for (int i = 0; i < 10; i++) {
                StepTeam.run(1, 2, 1, (step, chunk, participant) -> { });
            }
        });
        otherCaller.start();
        try {
            // The helper's chunk takes 40 ms while the caller's takes 2: the caller waits most of the job, a stall.
            AtomicBoolean helperRan = new AtomicBoolean();
            StepTeam.run(1, 2, 1, (step, chunk, participant) -> {
                boolean helper = Thread.currentThread().getName().startsWith("lstm-engine-helper");
                if (helper) {
                    helperRan.set(true);
                    helperBusy.countDown();
                }
                sleep(helper ? 40 : 2);
            });
            // A helper woken too late finds both chunks taken by the caller: then there was no stall to test.
            helperBusy.countDown();
            otherCaller.join();
            assumeTrue(helperRan.get(), "the parked helper woke after the caller had done both chunks");
            assertThat(StepTeam.backoffNanos).as("the stall doubled the back-off")
                    .isEqualTo(StepTeam.BACKOFF_MAX_NANOS);
        } finally {
            helperBusy.countDown();
            otherCaller.join();
            StepTeam.backoffNanos = StepTeam.BACKOFF_MIN_NANOS;
            StepTeam.helpersOffUntil = System.nanoTime() - 1;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
