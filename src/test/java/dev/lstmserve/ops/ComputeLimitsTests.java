package dev.lstmserve.ops;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.lstmserve.config.LstmProperties;
import dev.lstmserve.inference.LstmService;
import dev.lstmserve.model.ModelLoader;
import dev.lstmserve.parity.ParityService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The limits and the compute slots alone, without HTTP. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class ComputeLimitsTests {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void shapeOfEachKindOfInput() {
        assertThat(RequestShape.of(new int[][] {{1, 2, 3}, {4, 5, 6}}, (String[]) null, null))
                .isEqualTo(new RequestShape("tokens", 2, 3, 6, 0));
        // Words as the vocabulary splits them: Unicode white space, runs of it count once.
        assertThat(RequestShape.of(null, new String[] {"the word\u3000is", "  a\t\tb\u2003c d  "}, null))
                .isEqualTo(new RequestShape("text", 2, 4, 8, 0));
        assertThat(RequestShape.of(null, (String[]) null, new double[][][] {{{1, 2}, {3, 4}, {5, 6}}}))
                .isEqualTo(new RequestShape("inputs", 1, 3, 3, 6));
        assertThat(RequestShape.of(null, (String[]) null, null)).isEqualTo(RequestShape.NONE);
    }

    @Test
    void raggedAndNullRowsAreMeasuredByTheLongestWindow() {
        assertThat(RequestShape.of(new int[][] {{1}, null, {1, 2, 3, 4}}, (String[]) null, null))
                .isEqualTo(new RequestShape("tokens", 3, 4, 12, 0));
        assertThat(RequestShape.of(null, (String[]) null, new double[][][] {null, {{1}, null, {1, 2, 3}}}))
                .isEqualTo(new RequestShape("inputs", 2, 3, 6, 4));
    }

    /** The endpoint that runs every layer of the model. */
    private static final String PREDICT = "/lstm/predict";

    @Test
    void firstLimitOverIsNamedWithItsValueAndTheRequests() {
        ComputeLimits limits = limits(4, Duration.ZERO);

        LimitExceededException batch = catchThrowableOfType(LimitExceededException.class,
                () -> limits.check(PREDICT, new RequestShape("tokens", 9, 100, 900, 0)));
        LimitExceededException steps = catchThrowableOfType(LimitExceededException.class,
                () -> limits.check(PREDICT, new RequestShape("text", 8, 9, 72, 0)));
        LimitExceededException values = catchThrowableOfType(LimitExceededException.class,
                () -> limits.check(PREDICT, new RequestShape("inputs", 2, 2, 4, 97)));

        assertThat(batch.property()).isEqualTo("lstm.limits.max-batch-size");
        assertThat(batch.maximum()).isEqualTo(8);
        assertThat(batch.actual()).isEqualTo(9);
        assertThat(steps.property()).isEqualTo("lstm.limits.max-steps");
        assertThat(steps.getMessage()).isEqualTo("text asks for 8 windows × 9 steps = 72 steps (B·T); the limit is 64"
                + " per request (lstm.limits.max-steps)");
        assertThat(values.property()).isEqualTo("lstm.limits.max-input-values");
        assertThat(values.field()).isEqualTo("inputs");
    }

    @Test
    void outputsLargerThanTheLimitAreRefusedNamingTheLayerThatWouldComputeThem() {
        // The seed-toy model: Embedding(9, 2) then LSTM(2) returning sequences, 2 values per step each; limit 100.
        ComputeLimits limits = limits(4, Duration.ZERO);

        limits.check(PREDICT, new RequestShape("tokens", 8, 6, 48, 0));
        LimitExceededException outputs = catchThrowableOfType(LimitExceededException.class,
                () -> limits.check(PREDICT, new RequestShape("tokens", 8, 7, 56, 0)));

        assertThat(outputs.property()).isEqualTo("lstm.limits.max-output-values");
        assertThat(outputs.maximum()).isEqualTo(100);
        assertThat(outputs.actual()).isEqualTo(112);
        assertThat(outputs.field()).isEqualTo("tokens");
        assertThat(outputs.getMessage()).contains("8 windows × 7 steps", "layer 'embedding' (2 values per step)",
                "112 numbers", "lstm.limits.max-output-values");
    }

    @Test
    void inputsAreNotMeasuredAgainstTheEmbeddingTheySkip() {
        // Same seed-toy model and limit: Embedding and LSTM compute 2 values per step each; inputs reach the LSTM. The
        // shape gives no input values: with E = 2 they would reach max-input-values (96) first, checked before.
        ComputeLimits limits = limits(4, Duration.ZERO);

        LimitExceededException outputs = catchThrowableOfType(LimitExceededException.class,
                () -> limits.check(PREDICT, new RequestShape("inputs", 8, 7, 56, 0)));

        assertThat(outputs.actual()).isEqualTo(112);
        assertThat(outputs.getMessage()).contains("layer 'lstm' (2 values per step)")
                .doesNotContain("embedding");
    }

    @Test
    void anLstmReturningOnlyItsLastStepStillCountsEveryStepItComputes() {
        // Embedding(9, 2), LSTM(40, return_sequences=False) 'lstm_wide', Dense(2): the LSTM computes 40 values at
        // every step before it returns the last; limit 100.
        ComputeLimits limits = limitsFor("last-step-lstm.json");

        for (String endpoint : new String[] {"/lstm/forward", "/lstm/predict"}) {
            LimitExceededException outputs = catchThrowableOfType(LimitExceededException.class,
                    () -> limits.check(endpoint, new RequestShape("tokens", 1, 3, 3, 0)));
            assertThat(outputs.actual()).as(endpoint).isEqualTo(120);
            assertThat(outputs.getMessage()).as(endpoint).contains("'lstm_wide' (40 values per step)");
        }
    }

    @Test
    void textIsMeasuredAtTheWindowLengthTheModelDeclares() {
        // The probe model with input_shape [50]: one word of text is padded to 50 steps; 'td' computes 10 per step.
        ComputeLimits limits = limitsFor("fixed-length.json");

        LimitExceededException text = catchThrowableOfType(LimitExceededException.class,
                () -> limits.check("/lstm/forward", new RequestShape("text", 1, 1, 1, 0)));
        assertThat(text.actual()).isEqualTo(500);
        assertThat(text.getMessage()).contains("1 windows × 50 steps", "'td' (10 values per step)");
    }

    @Test
    void forwardIsCheckedAgainstTheLayersItRunsAndPredictAgainstAll() {
        // Embedding(9, 3), LSTM(2) 'lstm_a', Dense(10) per step 'td', LSTM(4, last step) 'lstm_b', Dense(60) 'head';
        // /lstm/forward stops at lstm_b, the last recurrent layer. Limit 100.
        ComputeLimits limits = limitsFor("probe.json");
        RequestShape twoSteps = new RequestShape("tokens", 2, 1, 2, 0);

        limits.check("/lstm/forward", twoSteps);
        LimitExceededException head = catchThrowableOfType(LimitExceededException.class,
                () -> limits.check("/lstm/predict", twoSteps));
        assertThat(head.getMessage()).contains("'head' (60 values per window) computes 120 numbers");

        LimitExceededException td = catchThrowableOfType(LimitExceededException.class,
                () -> limits.check("/lstm/forward", new RequestShape("tokens", 1, 11, 11, 0)));
        assertThat(td.getMessage()).contains("'td' (10 values per step) computes 110 numbers");
    }

    @Test
    void noFreeSlotWithinTheWaitIsOverloadedAndAFreedSlotServesAgain() throws Exception {
        ComputeLimits limits = limits(2, Duration.ofMillis(20));
        CountDownLatch inside = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<String>> holders = List.of(
                    pool.submit(() -> limits.compute("/x", RequestShape.NONE, () -> hold(inside, release))),
                    pool.submit(() -> limits.compute("/x", RequestShape.NONE, () -> hold(inside, release))));
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

            OverloadedException overloaded = catchThrowableOfType(OverloadedException.class,
                    () -> limits.compute("/x", RequestShape.NONE, () -> "never"));
            assertThat(overloaded.maxConcurrentRequests()).isEqualTo(2);
            assertThat(overloaded.retryAfterSeconds()).isEqualTo(3);
            assertThat(registry.get(LstmMetrics.COMPUTE_ACTIVE).gauge().value()).isEqualTo(2.0);

            release.countDown();
            for (Future<String> holder : holders) {
                assertThat(holder.get(10, TimeUnit.SECONDS)).isEqualTo("done");
            }
            assertThat(limits.compute("/x", RequestShape.NONE, () -> "again")).isEqualTo("again");
            assertThat(registry.get(LstmMetrics.COMPUTE_ACTIVE).gauge().value()).isZero();
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void requestIsNotEvenReadWhenAsManyWaitAsThereAreSlots() throws Exception {
        ComputeLimits limits = limits(1, Duration.ofSeconds(30));
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<String> holder = pool.submit(() -> limits.compute("/x", RequestShape.NONE,
                    () -> hold(inside, release)));
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
            limits.admit();   // the slot is busy, but nobody waits yet: this one may wait

            Future<String> waiter = pool.submit(() -> limits.compute("/x", RequestShape.NONE, () -> "waited"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            OverloadedException shed = null;
            while (shed == null && System.nanoTime() < deadline) {
                try {
                    limits.admit();
                    Thread.sleep(5);
                } catch (OverloadedException e) {
                    shed = e;
                }
            }

            assertThat(shed).as("refused before reading once one request waits for the one slot").isNotNull();
            assertThat(shed.getMessage()).contains("are busy and 1 request(s) wait for one");
            release.countDown();
            assertThat(holder.get(10, TimeUnit.SECONDS)).isEqualTo("done");
            assertThat(waiter.get(10, TimeUnit.SECONDS)).as("the waiting request got the slot").isEqualTo("waited");
            limits.admit();
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void withoutWaitingABusyServiceRefusesBeforeReading() throws Exception {
        ComputeLimits limits = limits(1, Duration.ZERO);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<String> holder = pool.submit(() -> limits.compute("/x", RequestShape.NONE,
                    () -> hold(inside, release)));
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

            assertThatThrownBy(limits::admit).isInstanceOf(OverloadedException.class);
            release.countDown();
            holder.get(10, TimeUnit.SECONDS);
            limits.admit();
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void withDynamicBatchingRequestsThatFindTheSlotsBusyAreReadToJoinABatch() throws Exception {
        ComputeLimits limits = limits(1, Duration.ZERO, new LstmProperties.Batching(true, 64, Duration.ZERO, 256));
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<String> holder = pool.submit(() -> limits.compute("/x", RequestShape.NONE,
                    () -> hold(inside, release)));
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

            // Without batching this is refused before reading (the test above); with it, the request is read and
            // waits in a batch, bounded by lstm.batching.max-queue-size.
            limits.admit();
            release.countDown();
            holder.get(10, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void withDynamicBatchingAFullBatchQueueIsRefusedBeforeReading() throws Exception {
        LstmService service = org.mockito.Mockito.spy(new LstmService(ModelLoader.loadDefault()));
        org.mockito.Mockito.doReturn(2).when(service).batchQueue();
        ComputeLimits limits = limits(1, Duration.ZERO, new LstmProperties.Batching(true, 64, Duration.ZERO, 2),
                service);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<String> holder = pool.submit(() -> limits.compute("/x", RequestShape.NONE,
                    () -> hold(inside, release)));
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

            assertThatThrownBy(limits::admit).isInstanceOf(OverloadedException.class)
                    .hasMessageContaining("the batch queue holds 2 request(s) (lstm.batching.max-queue-size)");
            release.countDown();
            holder.get(10, TimeUnit.SECONDS);
            limits.admit();
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void slotIsReturnedWhenTheWorkFails() {
        ComputeLimits limits = limits(1, Duration.ZERO);

        assertThatThrownBy(() -> limits.compute("/x", RequestShape.NONE, () -> {
            throw new IllegalStateException("invalid input");
        })).hasMessage("invalid input");

        assertThat(limits.compute("/x", RequestShape.NONE, () -> "next")).isEqualTo("next");
    }

    @Test
    void computedRequestsAreRecordedPerEndpoint() {
        ComputeLimits limits = limits(1, Duration.ZERO);

        limits.compute("/lstm/forward", new RequestShape("tokens", 3, 4, 12, 0), () -> "a");
        limits.compute("/lstm/forward", new RequestShape("tokens", 1, 7, 7, 0), () -> "b");

        assertThat(registry.get(LstmMetrics.ENGINE).tag("endpoint", "/lstm/forward").timer().count()).isEqualTo(2);
        assertThat(registry.get(LstmMetrics.BATCH_SIZE).summary().totalAmount()).isEqualTo(4);
        assertThat(registry.get(LstmMetrics.WINDOW_LENGTH).summary().max()).isEqualTo(7);
        assertThat(registry.get(LstmMetrics.STEPS).counter().count()).isEqualTo(19);
    }

    private static String hold(CountDownLatch inside, CountDownLatch release) {
        inside.countDown();
        try {
            release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "done";
    }

    /** Limits as {@link #limits(int, Duration)} gives them, on a model of src/test/resources/limits. */
    private ComputeLimits limitsFor(String model) {
        return limits(4, Duration.ZERO, LstmProperties.Batching.OFF,
                new LstmService(ModelLoader.load(Path.of("src/test/resources/limits", model))));
    }

    private ComputeLimits limits(int slots, Duration maxWait) {
        return limits(slots, maxWait, LstmProperties.Batching.OFF);
    }

    private ComputeLimits limits(int slots, Duration maxWait, LstmProperties.Batching batching) {
        return limits(slots, maxWait, batching, new LstmService(ModelLoader.loadDefault()));
    }

    private ComputeLimits limits(int slots, Duration maxWait, LstmProperties.Batching batching, LstmService service) {
        LstmProperties properties = new LstmProperties(new LstmProperties.Model("", "", ""),
                new LstmProperties.Parity(1e-5, 1e-6, Duration.ofSeconds(60)), DataSize.ofMegabytes(16),
                new LstmProperties.Limits(8, 16, 64, 96, 100, slots, maxWait, Duration.ofMillis(2500)), "",
                batching);
        return new ComputeLimits(properties, new LstmMetrics(registry, service, new ParityService(service, properties)),
                service);
    }
}
