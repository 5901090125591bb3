package dev.lstmserve.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.lstmserve.config.LstmProperties;
import dev.lstmserve.model.LstmModel;
import dev.lstmserve.model.ModelLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Dynamic batching ({@link DynamicBatcher} through {@link LstmService}): requests that wait for a busy compute slot
 * together are computed as one forward, and each gets exactly the bits it gets alone, wherever its rows sit in the
 * batch; requests that cannot share a forward are not merged; a full queue and a slot that never frees up are 503s.
 *
 * <p>The compute slot is a one-permit semaphore the test holds while the requests queue, so the batches are
 * deterministic: every request that arrives while the slot is held joins its key's batch.
 */
class DynamicBatchingTests {

    private static final LstmModel SEED = ModelLoader.loadDefault();
    private static final LstmModel MASKED = ModelLoader.load(Path.of("src/test/resources/models/masked-toy.json"));
    private static final double[][] SEED_H = {{-0.7565803, -0.06854702}};
    private static final double[][] SEED_C = {{0.9029392, -0.12441138}};

    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    @Test
    void requestsWaitingTogetherAreOneForwardAndGetTheBitsTheyGetAlone() throws Exception {
        Random random = new Random(3);
        List<ForwardQuery> queries = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            // B from 1 to 3, so each request's rows start at a different place in the batch.
            queries.add(new ForwardQuery(tokens(random, 1 + i % 3, 4, 9), null, null, null, null, false,
                    i % 2 == 0 ? null : Boolean.FALSE, i % 3 == 0 ? Boolean.FALSE : null));
        }
        Batches batches = runTogether(SEED, queries, (service, query, slot) -> service.forward(query, slot));

        assertThat(batches.sizes).containsExactly(12);
        LstmInference alone = new LstmInference(SEED);
        for (int i = 0; i < queries.size(); i++) {
            assertSameBits((ForwardResult) batches.results.get(i), alone.forward(queries.get(i)));
        }
    }

    @Test
    void initialStatesOfOneRowOrOfEveryRowAreExpandedBeforeMerging() throws Exception {
        Random random = new Random(4);
        List<ForwardQuery> queries = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int batch = 1 + i % 3;
            double[][] h = i % 2 == 0 ? SEED_H : rows(random, batch, 2);
            double[][] c = i % 2 == 0 ? SEED_C : rows(random, batch, 2);
            queries.add(new ForwardQuery(tokens(random, batch, 4, 9), null, null, h, c, true, null, null));
        }
        Batches batches = runTogether(SEED, queries, (service, query, slot) -> service.forward(query, slot));

        assertThat(batches.sizes).containsExactly(8);
        LstmInference alone = new LstmInference(SEED);
        for (int i = 0; i < queries.size(); i++) {
            assertSameBits((ForwardResult) batches.results.get(i), alone.forward(queries.get(i)));
        }
    }

    @Test
    void masksTravelWithTheirRows() throws Exception {
        // masked-toy: Embedding(mask_zero=True), so zeros mask steps; windows with zeros at different steps.
        Random random = new Random(5);
        List<ForwardQuery> queries = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            int[][] tokens = tokens(random, 1 + i % 3, 5, MASKED.embedding().inputDim());
            tokens[0][i % 5] = 0;
            queries.add(new ForwardQuery(tokens, null, null, null, null, false, null, null));
        }
        Batches batches = runTogether(MASKED, queries, (service, query, slot) -> service.predict(query, slot));

        assertThat(batches.sizes).containsExactly(9);
        LstmInference alone = new LstmInference(MASKED);
        for (int i = 0; i < queries.size(); i++) {
            PredictResult batched = (PredictResult) batches.results.get(i);
            assertThat(deep(batched.outputs())).isEqualTo(deep(alone.predict(queries.get(i)).outputs()));
        }
    }

    @Test
    void largerModelRowsAtEveryPositionOfABatch(@TempDir Path dir) throws Exception {
        // E = 24, H = 40: wide enough for the engine's multi-row kernels; 17 windows in batches of requests of 1-4.
        LstmModel model = ModelLoader.load(randomModel(dir, 24, 40));
        Random random = new Random(6);
        List<ForwardQuery> queries = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            queries.add(new ForwardQuery(null, null, inputs(random, 1 + (i * 5) % 4, 6, 24), null, null, false, null,
                    null));
        }
        Batches batches = runTogether(model, queries, (service, query, slot) -> service.forward(query, slot));

        assertThat(batches.sizes).containsExactly(7);
        LstmInference alone = new LstmInference(model);
        for (int i = 0; i < queries.size(); i++) {
            assertSameBits((ForwardResult) batches.results.get(i), alone.forward(queries.get(i)));
        }
    }

    @Test
    void onlyRequestsThatCanShareAForwardAreMerged() throws Exception {
        Random random = new Random(7);
        List<ForwardQuery> queries = List.of(
                new ForwardQuery(tokens(random, 1, 4, 9), null, null, null, null, false, null, null),
                new ForwardQuery(tokens(random, 2, 4, 9), null, null, null, null, false, null, null),
                // another window length
                new ForwardQuery(tokens(random, 1, 3, 9), null, null, null, null, false, null, null),
                // with an initial state
                new ForwardQuery(tokens(random, 1, 4, 9), null, null, SEED_H, SEED_C, true, null, null),
                // inputs instead of token ids (they skip the Embedding)
                new ForwardQuery(null, null, inputs(random, 1, 4, 2), null, null, false, null, null));
        Batches batches = runTogether(SEED, queries, (service, query, slot) -> service.forward(query, slot));

        assertThat(batches.sizes).containsExactlyInAnyOrder(2, 1, 1, 1);
    }

    @Test
    void aBatchStopsAtMaxBatchSizeWindows() throws Exception {
        Random random = new Random(8);
        List<ForwardQuery> queries = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            queries.add(new ForwardQuery(tokens(random, 3, 4, 9), null, null, null, null, false, null, null));
        }
        Batches batches = runTogether(SEED, queries, new LstmProperties.Batching(true, 7, Duration.ZERO, 100),
                (service, query, slot) -> service.forward(query, slot));

        // 3 + 3 windows fit in 7, a third request starts the next batch.
        assertThat(batches.sizes).containsExactly(2, 2, 2);
    }

    @Test
    void aFullQueueIsRefusedAtOnce() throws Exception {
        LstmService service = new LstmService(SEED, properties(new LstmProperties.Batching(true, 64, Duration.ZERO,
                2)));
        Slot slot = new Slot();
        slot.permits.acquire();
        ForwardQuery query = new ForwardQuery(new int[][] {{1, 2}}, null, null, null, null, false, null, null);
        List<Future<ForwardResult>> waiting = List.of(pool.submit(() -> service.forward(query, slot)),
                pool.submit(() -> service.forward(query, slot)));
        awaitQueue(service, 2);

        assertThatThrownBy(() -> service.forward(query, slot)).isInstanceOf(BatchQueueFullException.class)
                .hasMessageContaining("lstm.batching.max-queue-size").hasMessageContaining("all 2 places");

        slot.permits.release();
        for (Future<ForwardResult> request : waiting) {
            assertThat(request.get(10, TimeUnit.SECONDS).outputs()).isNotNull();
        }
        assertThat(service.batchQueue()).isZero();
    }

    @Test
    void whenTheBatchGetsNoSlotEveryRequestInItGetsTheRefusal() throws Exception {
        LstmService service = new LstmService(SEED, properties(new LstmProperties.Batching(true, 64, Duration.ZERO,
                100)));
        Slot slot = new Slot();
        slot.permits.acquire();
        slot.refuse = true;
        ForwardQuery query = new ForwardQuery(new int[][] {{1, 2}}, null, null, null, null, false, null, null);
        List<Future<ForwardResult>> requests = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            requests.add(pool.submit(() -> service.forward(query, slot)));
        }
        awaitQueue(service, 3);
        slot.permits.release();

        for (Future<ForwardResult> request : requests) {
            assertThatThrownBy(() -> request.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no slot");
        }
        assertThat(service.batchQueue()).isZero();
        slot.refuse = false;
        assertThat(service.forward(query, slot).outputs()).isNotNull();
    }

    @Test
    void maxQueueDelayHoldsABatchThatHasItsSlotOpenUntilItIsFull() throws Exception {
        LstmService service = new LstmService(SEED, properties(new LstmProperties.Batching(true, 2,
                Duration.ofSeconds(20), 100)));
        Slot slot = new Slot();
        ForwardQuery query = new ForwardQuery(new int[][] {{1, 2}}, null, null, null, null, false, null, null);

        long start = System.nanoTime();
        Future<ForwardResult> first = pool.submit(() -> service.forward(query, slot));
        awaitQueue(service, 1);
        service.forward(query, slot);
        first.get(10, TimeUnit.SECONDS);

        // The first request had the slot and waited for a second window; the second filled the batch, so neither
        // waited out the 20 s.
        assertThat(slot.computations).containsExactly(2);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void withoutDelayARequestThatFindsTheSlotFreeRunsAloneAtOnce() {
        LstmService service = new LstmService(SEED, properties(new LstmProperties.Batching(true, 64, Duration.ZERO,
                100)));
        Slot slot = new Slot();
        ForwardQuery query = new ForwardQuery(new int[][] {{1, 2}}, null, null, null, null, false, null, null);

        assertSameBits(service.forward(query, slot), new LstmInference(SEED).forward(query));
        assertThat(slot.computations).containsExactly(1);
        assertThat(service.batchQueue()).isZero();
    }

    private interface Call {
        Object apply(LstmService service, ForwardQuery query, Computations slot);
    }

    /** The results in query order, and how many requests each computation held. */
    private record Batches(List<Object> results, List<Integer> sizes) {
    }

    private Batches runTogether(LstmModel model, List<ForwardQuery> queries, Call call) throws Exception {
        return runTogether(model, queries, new LstmProperties.Batching(true, 64, Duration.ZERO, 256), call);
    }

    /** Holds the slot until every query waits in a batch, then lets the batches run. */
    private Batches runTogether(LstmModel model, List<ForwardQuery> queries, LstmProperties.Batching batching,
                                Call call) throws Exception {
        LstmService service = new LstmService(model, properties(batching));
        Slot slot = new Slot();
        slot.permits.acquire();
        List<Future<Object>> futures = new ArrayList<>();
        for (ForwardQuery query : queries) {
            futures.add(pool.submit(() -> call.apply(service, query, slot)));
            // In order, so that a batch's rows are the requests' in query order.
            awaitQueue(service, futures.size());
        }
        slot.permits.release();
        List<Object> results = new ArrayList<>();
        for (Future<Object> future : futures) {
            results.add(future.get(30, TimeUnit.SECONDS));
        }
        assertThat(service.batchQueue()).isZero();
        return new Batches(results, new ArrayList<>(slot.computations));
    }

    private static void awaitQueue(LstmService service, int requests) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (service.batchQueue() < requests) {
            assertThat(System.nanoTime()).as("%d requests queued", requests).isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    /** One compute slot; records how many requests each computation held. */
    private static final class Slot implements Computations {

        final Semaphore permits = new Semaphore(1);
        final ConcurrentLinkedQueue<Integer> computations = new ConcurrentLinkedQueue<>();
        volatile boolean refuse;
        private final ThreadLocal<Integer> batched = new ThreadLocal<>();

        @Override
        public <T> T run(Supplier<T> work) {
            permits.acquireUninterruptibly();
            try {
                if (refuse) {
                    throw new IllegalStateException("no slot");
                }
                batched.set(1);
                T result = work.get();
                computations.add(batched.get());
                return result;
            } finally {
                permits.release();
            }
        }

        @Override
        public void batched(int requests, int windows) {
            batched.set(requests);
        }

        @Override
        public void computedInBatch(long queuedNanos, long computeNanos) {
            assertThat(queuedNanos).isNotNegative();
            assertThat(computeNanos).isPositive();
        }
    }

    private static LstmProperties properties(LstmProperties.Batching batching) {
        return new LstmProperties(new LstmProperties.Model("", "", ""),
                new LstmProperties.Parity(1e-5, 1e-6, Duration.ofSeconds(60)),
                org.springframework.util.unit.DataSize.ofMegabytes(16),
                new LstmProperties.Limits(1024, 4096, 262144, 4194304, 16777216, null, Duration.ofMillis(100),
                        Duration.ofSeconds(1)), "", batching);
    }

    private static void assertSameBits(ForwardResult batched, ForwardResult alone) {
        assertThat(deep(batched.outputs())).isEqualTo(deep(alone.outputs()));
        assertThat(deep(batched.h())).isEqualTo(deep(alone.h()));
        assertThat(deep(batched.c())).isEqualTo(deep(alone.c()));
    }

    /** Every float's bits. */
    private static String deep(Object value) {
        if (value instanceof float[] floats) {
            StringBuilder s = new StringBuilder("[");
            for (float f : floats) {
                s.append(Integer.toHexString(Float.floatToRawIntBits(f))).append(',');
            }
            return s.append(']').toString();
        }
        if (value instanceof Object[] array) {
            StringBuilder s = new StringBuilder("[");
            for (Object element : array) {
                s.append(deep(element)).append(';');
            }
            return s.append(']').toString();
        }
        return String.valueOf(value);
    }

    private static int[][] tokens(Random random, int batch, int steps, int vocabulary) {
        int[][] tokens = new int[batch][steps];
        for (int[] window : tokens) {
            for (int t = 0; t < steps; t++) {
                window[t] = 1 + random.nextInt(vocabulary - 1);
            }
        }
        return tokens;
    }

    private static double[][][] inputs(Random random, int batch, int steps, int features) {
        double[][][] inputs = new double[batch][][];
        for (int b = 0; b < batch; b++) {
            inputs[b] = rows(random, steps, features);
        }
        return inputs;
    }

    private static double[][] rows(Random random, int rows, int columns) {
        double[][] values = new double[rows][columns];
        for (double[] row : values) {
            for (int j = 0; j < columns; j++) {
                row[j] = random.nextDouble() * 2 - 1;
            }
        }
        return values;
    }

    /** An lstm-serve JSON model without Embedding, glorot-like random weights, no parity samples. */
    private static Path randomModel(Path dir, int inputs, int units) throws IOException {
        Random random = new Random(inputs * 1000L + units);
        StringBuilder json = new StringBuilder("{\"format\": \"lstm-serve-model\", \"version\": 1, \"name\": \"random\","
                + " \"lstm\": {\"units\": " + units + ", \"activation\": \"tanh\", \"recurrent_activation\":"
                + " \"sigmoid\", \"use_bias\": true, \"go_backwards\": false, \"kernel\": ");
        json.append(Arrays.deepToString(floats(random, inputs, 4 * units, 0.3)));
        json.append(", \"recurrent_kernel\": ").append(Arrays.deepToString(floats(random, units, 4 * units, 0.3)));
        json.append(", \"bias\": ").append(Arrays.toString(floats(random, 1, 4 * units, 0.1)[0])).append("}}");
        Path file = dir.resolve("random.json");
        Files.writeString(file, json);
        return file;
    }

    private static float[][] floats(Random random, int rows, int columns, double scale) {
        float[][] values = new float[rows][columns];
        for (float[] row : values) {
            for (int j = 0; j < columns; j++) {
                row[j] = (float) ((random.nextDouble() * 2 - 1) * scale);
            }
        }
        return values;
    }
}
