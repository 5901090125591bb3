package dev.lstmserve.core;

import static dev.lstmserve.core.Fixtures.flat;
import static dev.lstmserve.core.Fixtures.matrix;
import static dev.lstmserve.core.Fixtures.tensor3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import tools.jackson.databind.JsonNode;

/**
 * The LSTM layer against the oracle fixtures (tf.keras semantics computed by tfjs 4.22.0, see
 * tools/keras-oracle/README.md), and the properties the service promises: state carry-over, bit-identical results
 * whatever a window is batched with, thread safety, and shape errors that name the offending tensor.
 */
class LstmLayerTests {

    /** API.md: np.allclose's rtol with an absolute floor suited to float32. */
    private static final double RTOL = 1e-5;
    private static final double ATOL = 1e-6;

    private static final JsonNode LSTM_CASES = Fixtures.classpath("oracle/lstm-cases.json").get("cases");
    private static final JsonNode MASKING_CASES = Fixtures.classpath("oracle/masking-cases.json").get("cases");

    private static final Map<String, Double> MAX_ABS_ERROR = new TreeMap<>();

    @AfterAll
    static void printMaxAbsErrors() {
        StringBuilder report = new StringBuilder("Max abs error against the oracle fixtures (src/test/resources/oracle):");
        MAX_ABS_ERROR.forEach((set, error) -> report.append(String.format("%n  %-44s %.3g", set, error)));
        System.out.println(report);
    }

    private static void record(String set, double error) {
        synchronized (MAX_ABS_ERROR) {
            MAX_ABS_ERROR.merge(set, error, Math::max);
        }
    }

    // ---------------------------------------------------------------- oracle fixtures

    static Stream<Arguments> lstmCases() {
        return withProjections(LSTM_CASES);
    }

    static Stream<Arguments> maskingCases() {
        return withProjections(MASKING_CASES);
    }

    private static Stream<Arguments> withProjections(JsonNode cases) {
        return StreamSupport.stream(cases.spliterator(), false)
                .flatMap(c -> Stream.of(EnginePath.values())
                        .map(p -> Arguments.of(c.get("name").asString(), p)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("lstmCases")
    void matchesOracleCase(String name, EnginePath path) {
        JsonNode c = find(LSTM_CASES, name);
        LstmResult result = layer(c, path).forward(tensor3(c.get("inputs")), initialState(c));
        checkExpected("oracle lstm-cases, " + path, c, result);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("maskingCases")
    void matchesOracleMaskingCaseThroughEmbedding(String name, EnginePath path) {
        JsonNode c = find(MASKING_CASES, name);
        assertThat(c.get("mask_zero").booleanValue()).isTrue();
        Embedding embedding = new Embedding(matrix(c.get("embedding")), true);
        int[][] tokens = Fixtures.intMatrix(c.get("tokens"));

        LstmResult result = layer(c, path)
                .forward(embedding.lookup(tokens), embedding.mask(tokens), initialState(c));

        checkExpected("oracle masking-cases, " + path, c, result);
    }

    @Test
    void oracleCasesTellTheVariantsApart() {
        // Guards the fixtures against a test that cannot fail: the wrong hard_sigmoid form, a wrong time direction
        // or a missing mask must each be caught at the fixtures' tolerance.
        JsonNode keras3 = find(LSTM_CASES, "hard_sigmoid_keras3");
        assertThat(keras3.get("hard_sigmoid_form").asString()).isEqualTo("keras3");
        LstmLayer asKeras2 = new LstmLayer(layer(keras3, EnginePath.AUTO).weights(), Activation.TANH,
                Activation.HARD_SIGMOID_KERAS2, false);
        assertNotAllclose(asKeras2.forward(tensor3(keras3.get("inputs")), initialState(keras3)), keras3);

        JsonNode backwards = find(LSTM_CASES, "go_backwards");
        LstmLayer forwards = new LstmLayer(layer(backwards, EnginePath.AUTO).weights(), Activation.TANH,
                Activation.SIGMOID, false);
        assertNotAllclose(forwards.forward(tensor3(backwards.get("inputs")), null), backwards);

        JsonNode masked = find(MASKING_CASES, "mask_forward");
        Embedding embedding = new Embedding(matrix(masked.get("embedding")), true);
        int[][] tokens = Fixtures.intMatrix(masked.get("tokens"));
        assertNotAllclose(layer(masked, EnginePath.AUTO).forward(embedding.lookup(tokens), null, null), masked);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("caseNames")
    void everyEnginePathGivesTheSameBits(String name) {
        JsonNode c = find(LSTM_CASES, name);
        float[][][] inputs = tensor3(c.get("inputs"));
        LstmResult auto = layer(c, EnginePath.AUTO).forward(inputs, initialState(c));
        for (EnginePath path : EnginePath.values()) {
            assertSameBits(name + " " + path, auto, layer(c, path).forward(inputs, initialState(c)));
        }
    }

    static Stream<String> caseNames() {
        return StreamSupport.stream(LSTM_CASES.spliterator(), false).map(c -> c.get("name").asString());
    }

    // ---------------------------------------------------------------- Keras semantics as properties

    @ParameterizedTest
    @EnumSource(EnginePath.class)
    void goBackwardsReversesTimeLikeKeras(EnginePath path) {
        // Keras' go_backwards processes x[T-1] … x[0] and returns the outputs in that (processing) order, so it
        // is a forward layer run on the time-reversed window.
        JsonNode c = find(LSTM_CASES, "go_backwards_initial_state");
        LstmLayer backwards = layer(c, path);
        assertThat(backwards.goBackwards()).isTrue();
        LstmLayer forwards = new LstmLayer(backwards.weights(), backwards.activation(),
                backwards.recurrentActivation(), false, path.options);
        float[][][] inputs = tensor3(c.get("inputs"));

        LstmResult back = backwards.forward(inputs, initialState(c));
        LstmResult reversed = forwards.forward(reverseTime(inputs), initialState(c));

        assertSameBits("outputs", back.outputs(), reversed.outputs());
        assertSameBits("state", back.state(), reversed.state());
        // And it is not the same as running forwards.
        assertThat(flat(forwards.forward(inputs, initialState(c)).outputs())).isNotEqualTo(flat(back.outputs()));
    }

    @ParameterizedTest(name = "{0} split at {1}, {2}")
    @MethodSource("carryOverShapes")
    void carryingTheStateOverEqualsOneCall(String name, int k, EnginePath path) {
        JsonNode c = find(LSTM_CASES, name);
        LstmLayer lstm = layer(c, path);
        float[][][] inputs = tensor3(c.get("inputs"));
        int steps = inputs[0].length;

        LstmResult whole = lstm.forward(inputs, initialState(c));
        LstmResult first = lstm.forward(slice(inputs, 0, k), initialState(c));
        LstmResult second = lstm.forward(slice(inputs, k, steps), first.state());

        assertCarriedOver(whole, concat(first.outputs(), second.outputs()), second.state());
    }

    static Stream<Arguments> carryOverShapes() {
        // B×T×E→H: 4×5×3→4 with a state, 3×5×3→4 without bias, 5×12×16→32 with a state, 2×200×4→8;
        // k = 1, T/2 and T-1.
        return Stream.of("batch4_initial_state", "no_bias", "larger_H32", "long_sequence_T200").flatMap(name -> {
            int steps = find(LSTM_CASES, name).get("inputs").get(0).size();
            return IntStream.of(1, steps / 2, steps - 1).boxed()
                    .flatMap(k -> Stream.of(EnginePath.values())
                            .map(p -> Arguments.of(name, k, p)));
        });
    }

    @ParameterizedTest(name = "{0} split at {1}, {2}")
    @MethodSource("goBackwardsCarryOverShapes")
    void goBackwardsCarryOverProcessesTheLaterPartFirst(String name, int k, EnginePath path) {
        // go_backwards walks x[T-1] … x[0]: split at k, that is x[:, k:] first (outputs x[T-1] … x[k]) and then
        // x[:, :k] with the carried state (outputs x[k-1] … x[0]); the outputs concatenate in processing order.
        JsonNode c = find(LSTM_CASES, name);
        LstmLayer lstm = layer(c, path);
        float[][][] inputs = tensor3(c.get("inputs"));
        int steps = inputs[0].length;

        LstmResult whole = lstm.forward(inputs, initialState(c));
        LstmResult later = lstm.forward(slice(inputs, k, steps), initialState(c));
        LstmResult earlier = lstm.forward(slice(inputs, 0, k), later.state());

        assertCarriedOver(whole, concat(later.outputs(), earlier.outputs()), earlier.state());

        // The forward-direction order is not the same computation.
        LstmResult wrongFirst = lstm.forward(slice(inputs, 0, k), initialState(c));
        LstmResult wrongSecond = lstm.forward(slice(inputs, k, steps), wrongFirst.state());
        assertThat(flat(wrongSecond.state().c())).isNotEqualTo(flat(whole.state().c()));
    }

    static Stream<Arguments> goBackwardsCarryOverShapes() {
        return Stream.of("go_backwards", "go_backwards_initial_state").flatMap(name -> {
            int steps = find(LSTM_CASES, name).get("inputs").get(0).size();
            return IntStream.range(1, steps).boxed().flatMap(k -> Stream.of(EnginePath.values())
                    .map(p -> Arguments.of(name, k, p)));
        });
    }

    @ParameterizedTest(name = "{0} split at {1}")
    @MethodSource("maskedCarryOverShapes")
    void maskedCarryOverKeepsTheStateAndStartsEachCallWithZeroOutputsLikeKeras(String name, int k) {
        // Keras' masked steps keep h and c and repeat the previous output, which each call starts as zeros (see
        // masking-cases.json "mask_initial_state": zeros before the first unmasked step even with a state). So a
        // carried-over state is exact, and the outputs are too from the second call's first unmasked step on.
        JsonNode c = find(MASKING_CASES, name);
        LstmLayer lstm = layer(c, EnginePath.AUTO);
        Embedding embedding = new Embedding(matrix(c.get("embedding")), true);
        int[][] tokens = Fixtures.intMatrix(c.get("tokens"));
        int steps = tokens[0].length;
        int[][] firstTokens = sliceTokens(tokens, 0, k);
        int[][] secondTokens = sliceTokens(tokens, k, steps);

        LstmResult whole = lstm.forward(embedding.lookup(tokens), embedding.mask(tokens), initialState(c));
        LstmResult first = lstm.forward(embedding.lookup(firstTokens), embedding.mask(firstTokens), initialState(c));
        LstmResult second = lstm.forward(embedding.lookup(secondTokens), embedding.mask(secondTokens), first.state());

        assertSameBits("state", whole.state(), second.state());
        for (int b = 0; b < tokens.length; b++) {
            for (int s = 0; s < k; s++) {
                assertArrayEquals(whole.outputs()[b][s], first.outputs()[b][s], "outputs[" + b + "][" + s + "]");
            }
            boolean unmaskedYet = false;
            for (int s = k; s < steps; s++) {
                unmaskedYet |= tokens[b][s] != 0;
                float[] expected = unmaskedYet ? whole.outputs()[b][s] : new float[lstm.weights().units()];
                assertArrayEquals(expected, second.outputs()[b][s - k], "outputs[" + b + "][" + s + "] ("
                        + (unmaskedYet ? "as one call" : "masked before the second call's first unmasked step") + ")");
            }
        }
    }

    static Stream<Arguments> maskedCarryOverShapes() {
        return Stream.of("mask_forward", "mask_initial_state")
                .flatMap(name -> IntStream.of(1, 2, 3, 4, 5).mapToObj(k -> Arguments.of(name, k)));
    }

    @Test
    void largeWeightsAreProjectedAheadOfTheStepsOnlyWhileABlockHoldsSixteenSteps() {
        // S4's layer (E = 512, H = 1024): 24 MiB of kernel and recurrent_kernel, B·4H floats per step's projection.
        long s4Kernel = 4L * 512 * 4 * 1024;
        long s4Weights = 4L * (512 + 1024) * 4 * 1024;
        assertThat(LstmLayer.projectsFirst(64, 100, s4Kernel, s4Weights, 64L * 4096)).as("16 steps per block").isTrue();
        assertThat(LstmLayer.projectsFirst(128, 100, s4Kernel, s4Weights, 128L * 4096)).as("8 steps per block")
                .isFalse();
        assertThat(LstmLayer.projectsFirst(64, 1, s4Kernel, s4Weights, 64L * 4096)).as("one step shares nothing")
                .isFalse();
        // E = 8, H = 1024: 16.1 MiB, nearly all recurrent; its 128 KiB kernel gets cache-sized blocks, one step each.
        assertThat(LstmLayer.projectsFirst(64, 100, 4L * 8 * 4096, 4L * (8 + 1024) * 4096, 64L * 4096))
                .as("small kernel, 1 step per block").isFalse();
        // S3's layer (E = 256, H = 512): 6 MiB, projected up to PROJECTED_MAX_BATCH rows, fused above.
        long s3Kernel = 4L * 256 * 4 * 512;
        long s3Weights = 4L * (256 + 512) * 4 * 512;
        int most = LstmLayer.PROJECTED_MAX_BATCH;
        assertThat(LstmLayer.projectsFirst(most, 64, s3Kernel, s3Weights, most * 2048L)).isTrue();
        assertThat(LstmLayer.projectsFirst(most + 1, 64, s3Kernel, s3Weights, (most + 1) * 2048L)).isFalse();
    }

    @Test
    void batchesFromEightRowsWithWeightsThatFitTheCachesRunFusedWithXPartsAhead() {
        assumeTrue(StepTeam.maxParticipants() > 1, "one core: steps are not split, nothing runs ahead");
        // S2's layer (E = 128, H = 256): 1.5 MiB of weights; one fused step of B rows is B·384·1024 multiply-adds.
        long s2Weights = 4L * (128 + 256) * 4 * 256;
        assertThat(LstmLayer.fusedRunsAhead(8, 8L * 384 * 1024, 16, s2Weights, 8L * 1024)).as("S2").isTrue();
        assertThat(LstmLayer.fusedRunsAhead(7, 7L * 384 * 1024, 16, s2Weights, 7L * 1024)).as("7 rows").isFalse();
        assertThat(LstmLayer.fusedRunsAhead(1, 1L * 192 * 512, 8, 4L * 192 * 512, 512)).as("S1").isFalse();
        // S3's layer: 6 MiB of weights, more than two cores' L2.
        assertThat(LstmLayer.fusedRunsAhead(16, 16L * 768 * 2048, 32, 4L * 768 * 2048, 16L * 2048)).isFalse();
        // 256 rows of S2's layer: two steps' z (2 MiB) would not fit the ahead buffers.
        assertThat(LstmLayer.fusedRunsAhead(256, 256L * 384 * 1024, 16, s2Weights, 256L * 1024)).isFalse();
    }

    @Test
    void aCallerWaitingForAnXPartComputedAheadCountsAsAStall() {
        assumeTrue(StepTeam.maxParticipants() > 1, "one core: nothing runs ahead");
        Random random = new Random(1);
        // S2's layer and batch (steps of 16 chunks) over 16 steps.
        float[][][] inputs = RandomData.inputs(random, 8, 16, 128);
        // A helper descheduled while it computes an x part ahead, as on an overloaded machine: it sleeps 30 ms there.
        SlowAheadKernel kernel = new SlowAheadKernel(Kernels.active());
        LstmLayer layer = new LstmLayer(RandomData.weights(random, 128, 256), Activation.TANH, Activation.SIGMOID,
                false, new EngineOptions(kernel, false, 16, null, true));
        // Compiled first: run by the interpreter, the forward's own work would outlast the helper's stall.
        for (int i = 0; i < 1_000; i++) {
            layer.forward(inputs, null);
        }
        kernel.armed = true;
        int stalled = 0;
        int switchedOff = 0;
        try {
            for (int i = 0; i < 10; i++) {
                StepTeam.helpersOffUntil = System.nanoTime() - 1;
                StepTeam.backoffNanos = StepTeam.BACKOFF_MAX_NANOS;
                long sleptBefore = kernel.slept.get();
                long start = System.nanoTime();
                layer.forward(inputs, null);
                long millis = (System.nanoTime() - start) / 1_000_000;
                boolean off = System.nanoTime() - StepTeam.helpersOffUntil < 0;
                if (kernel.slept.get() > sleptBefore && millis >= 30) {
                    stalled++;
                    switchedOff += off ? 1 : 0;
                }
            }
        } finally {
            StepTeam.backoffNanos = StepTeam.BACKOFF_MIN_NANOS;
            StepTeam.helpersOffUntil = System.nanoTime() - 1;
        }
        assumeTrue(stalled > 0, "no helper worked ahead");
        assertThat(switchedOff).as("of %d forwards that waited on a stalled helper's x part", stalled)
                .isEqualTo(stalled);
    }

    /**
     * The active kernel, once armed: 20 µs slower per product on the calling thread, and sleeping 30 ms in each x part
     * a helper computes ahead of its step.
     */
    private static final class SlowAheadKernel extends TileKernel {
        private final TileKernel inner;
        private final AtomicLong slept = new AtomicLong();
        private volatile boolean armed;

        SlowAheadKernel(TileKernel inner) {
            super(inner.lanes);
            this.inner = inner;
        }

        @Override
        String name() {
            return "slow-ahead";
        }

        @Override
        void accumulate(float[] init, int iOff, int iStride, float[][] a, int row, int depth, float[] w, int wOff,
                        int rows, float[] z, int zOff, int zStride) {
            boolean helper = Thread.currentThread().getName().startsWith("lstm-engine-helper");
            if (armed && !helper) {
                // The caller's core is the slower one, so that the helper is the one that waits and works ahead.
                long until = System.nanoTime() + 20_000;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }
            if (armed && iStride == 0 && helper && StackWalker.getInstance()
                    .walk(frames -> frames.anyMatch(f -> f.getMethodName().equals("ahead")))) {
                slept.incrementAndGet();
                try {
                    Thread.sleep(30);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            inner.accumulate(init, iOff, iStride, a, row, depth, w, wOff, rows, z, zOff, zStride);
        }

        @Override
        void gates(float[] z, int zOff, int zStride, int rows, boolean[] live, float[][] c, float[][] hPrev,
                   float[][] hNext, int off, float[] scratch, Gates gates) {
            inner.gates(z, zOff, zStride, rows, live, c, hPrev, hNext, off, scratch, gates);
        }
    }

    @Test
    void aMaskWithoutMaskedStepsChangesNothing() {
        JsonNode c = find(LSTM_CASES, "batch4_initial_state");
        LstmLayer lstm = layer(c, EnginePath.AUTO);
        float[][][] inputs = tensor3(c.get("inputs"));
        boolean[][] allTrue = new boolean[inputs.length][inputs[0].length];
        for (boolean[] row : allTrue) {
            Arrays.fill(row, true);
        }
        assertSameBits("result", lstm.forward(inputs, initialState(c)), lstm.forward(inputs, allTrue, initialState(c)));
    }

    @Test
    void noInitialStateIsTheZeroStateAndOneRowIsBroadcast() {
        JsonNode c = find(LSTM_CASES, "broadcast_initial_state");
        LstmLayer lstm = layer(c, EnginePath.AUTO);
        float[][][] inputs = tensor3(c.get("inputs"));
        int batch = inputs.length;
        int units = lstm.weights().units();
        LstmState one = initialState(c);
        assertThat(one.h()).hasNumberOfRows(1);
        float[][] h = new float[batch][];
        float[][] cs = new float[batch][];
        for (int b = 0; b < batch; b++) {
            h[b] = one.h()[0].clone();
            cs[b] = one.c()[0].clone();
        }

        assertSameBits("broadcast", lstm.forward(inputs, new LstmState(h, cs)), lstm.forward(inputs, one));
        assertSameBits("zeros", lstm.forward(inputs, LstmState.zeros(batch, units)), lstm.forward(inputs, null));
    }

    // ---------------------------------------------------------------- batch independence, to the bit

    @ParameterizedTest
    @EnumSource(EnginePath.class)
    void aWindowGetsTheSameBitsAloneOrInAnyBatch(EnginePath path) {
        // Two models: the oracle's H=32 case, and one whose steps are split across cores (B·4H·H ≥ 2^15 from B = 1).
        JsonNode c = find(LSTM_CASES, "larger_H32");
        List<LstmLayer> layers = List.of(layer(c, path), randomLayer(64, 128, path, 7));
        for (LstmLayer lstm : layers) {
            int e = lstm.weights().inputSize();
            int units = lstm.weights().units();
            Random random = new Random(11);
            float[][] window = randomMatrix(random, 9, e);
            float[] h0 = randomMatrix(random, 1, units)[0];
            float[] c0 = randomMatrix(random, 1, units)[0];
            LstmResult alone = lstm.forward(new float[][][] {window},
                    new LstmState(new float[][] {h0}, new float[][] {c0}));

            for (int batch : new int[] {2, 3, 8, 9, 17, 33}) {
                int at = random.nextInt(batch);
                float[][][] inputs = new float[batch][][];
                float[][] h = new float[batch][];
                float[][] cs = new float[batch][];
                for (int b = 0; b < batch; b++) {
                    boolean mine = b == at;
                    inputs[b] = mine ? window : randomMatrix(random, 9, e);
                    h[b] = mine ? h0 : randomMatrix(random, 1, units)[0];
                    cs[b] = mine ? c0 : randomMatrix(random, 1, units)[0];
                }
                LstmResult batched = lstm.forward(inputs, new LstmState(h, cs));

                String where = "E=" + e + " H=" + units + ", row " + at + " of a batch of " + batch;
                for (int s = 0; s < window.length; s++) {
                    assertArrayEquals(alone.outputs()[0][s], batched.outputs()[at][s], where + ", outputs step " + s);
                }
                assertArrayEquals(alone.state().h()[0], batched.state().h()[at], where + ", h");
                assertArrayEquals(alone.state().c()[0], batched.state().c()[at], where + ", c");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(EnginePath.class)
    void concurrentCallsGiveTheSameBitsAsOneAtATime(EnginePath path) throws Exception {
        LstmLayer lstm = randomLayer(64, 128, path, 3);
        Random random = new Random(5);
        List<float[][][]> batches = new ArrayList<>();
        List<LstmResult> sequential = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            float[][][] inputs = new float[1 + i][][];
            for (int b = 0; b < inputs.length; b++) {
                inputs[b] = randomMatrix(random, 6, 64);
            }
            batches.add(inputs);
            sequential.add(lstm.forward(inputs, null));
        }

        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<LstmResult>> futures = new ArrayList<>();
            for (int task = 0; task < 96; task++) {
                float[][][] inputs = batches.get(task % batches.size());
                futures.add(pool.submit(() -> lstm.forward(inputs, null)));
            }
            for (int task = 0; task < futures.size(); task++) {
                assertSameBits("task " + task, sequential.get(task % batches.size()),
                        futures.get(task).get(30, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void forwardLeavesItsArgumentsAndWeightsUntouched() {
        float[][] kernel = {{0.1f, -0.2f, 0.3f, 0.4f}, {0.5f, 0.6f, -0.7f, 0.8f}};
        float[][] recurrent = {{0.2f, 0.1f, -0.1f, 0.3f}};
        float[] bias = {0f, 1f, 0f, 0f};
        LstmWeights weights = LstmWeights.of(kernel, recurrent, bias);
        LstmLayer lstm = new LstmLayer(weights, Activation.TANH, Activation.SIGMOID, false);
        float[][][] inputs = {{{1f, 2f}, {3f, -4f}}};
        LstmState state = new LstmState(new float[][] {{0.5f}}, new float[][] {{-0.5f}});
        LstmResult before = lstm.forward(inputs, state);

        kernel[0][0] = 9f;
        bias[1] = 9f;
        recurrent[0][0] = 9f;
        LstmResult after = lstm.forward(inputs, state);

        assertSameBits("weights are copied in", before, after);
        assertThat(inputs[0][1]).containsExactly(3f, -4f);
        assertThat(state.h()[0]).containsExactly(0.5f);
        assertThat(state.c()[0]).containsExactly(-0.5f);
        weights.kernel()[0][0] = 7f;
        assertThat(weights.kernel()[0][0]).isEqualTo(0.1f);
    }

    // ---------------------------------------------------------------- shape errors name the tensor

    @Test
    void shapeErrorsNameTheOffendingTensor() {
        LstmLayer lstm = randomLayer(3, 4, EnginePath.AUTO, 1);
        Random random = new Random(1);
        float[][][] ragged = {randomMatrix(random, 4, 3), randomMatrix(random, 3, 3)};
        assertThatThrownBy(() -> lstm.forward(ragged, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("inputs[1] has 3 time steps; expected 4");

        float[][][] features = {randomMatrix(random, 4, 3), randomMatrix(random, 4, 3)};
        features[1][2] = new float[2];
        assertThatThrownBy(() -> lstm.forward(features, null))
                .hasMessageContaining("inputs[1][2] has 2 features; expected 3");

        assertThatThrownBy(() -> lstm.forward(new float[0][][], null)).hasMessageContaining("inputs is empty");
        assertThatThrownBy(() -> lstm.forward(new float[1][0][], null)).hasMessageContaining("inputs[0] is empty");

        float[][][] inputs = {randomMatrix(random, 4, 3), randomMatrix(random, 4, 3), randomMatrix(random, 4, 3)};
        assertThatThrownBy(() -> lstm.forward(inputs, new LstmState(new float[2][4], new float[3][4])))
                .hasMessageContaining("initial_state.h has 2 rows; expected 3 (batch) or 1");
        assertThatThrownBy(() -> lstm.forward(inputs, new LstmState(new float[3][4], new float[][] {new float[5]})))
                .hasMessageContaining("initial_state.c[0] has 5 values; expected 4 (units)");
        assertThatThrownBy(() -> new LstmState(null, new float[1][4]))
                .hasMessageContaining("initial_state needs both h and c");

        assertThatThrownBy(() -> lstm.forward(inputs, new boolean[2][4], null))
                .hasMessageContaining("mask has 2 rows; expected 3");
        boolean[][] raggedMask = {new boolean[4], new boolean[3], new boolean[4]};
        assertThatThrownBy(() -> lstm.forward(inputs, raggedMask, null))
                .hasMessageContaining("mask[1] has 3 steps; expected 4");
    }

    @Test
    void weightShapeErrorsNameTheOffendingArray() {
        float[][] kernel = new float[3][16];
        float[][] recurrent = new float[4][16];
        assertThatThrownBy(() -> LstmWeights.of(kernel, recurrent, new float[12]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bias has 12 values; expected 16");
        assertThatThrownBy(() -> LstmWeights.of(new float[][] {new float[16], new float[15]}, recurrent, null))
                .hasMessageContaining("kernel[1] has 15 values; expected 16");
        assertThatThrownBy(() -> LstmWeights.of(kernel, new float[4][12], null))
                .hasMessageContaining("recurrent_kernel[0] has 12 values; expected 16");
        assertThatThrownBy(() -> LstmWeights.of(new float[0][], recurrent, null)).hasMessageContaining("kernel is empty");
        assertThatThrownBy(() -> LstmWeights.of(kernel, new float[0][], null))
                .hasMessageContaining("recurrent_kernel is empty");
        assertThatThrownBy(() -> new Embedding(new float[][] {new float[2], new float[1]}, false))
                .hasMessageContaining("embeddings[1] has 1 values; expected 2");
    }

    // ---------------------------------------------------------------- helpers

    static JsonNode find(JsonNode cases, String name) {
        for (JsonNode c : cases) {
            if (c.get("name").asString().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no oracle case " + name);
    }

    /** The case's layer; {@code hard_sigmoid_form: keras3} selects Keras 3's hard_sigmoid, else Keras 2's. */
    static LstmLayer layer(JsonNode c, EnginePath path) {
        int kerasMajor = "keras3".equals(c.path("hard_sigmoid_form").asString(null)) ? 3 : 2;
        LstmWeights weights = LstmWeights.of(matrix(c.get("kernel")), matrix(c.get("recurrent_kernel")),
                Fixtures.vectorOrNull(c.get("bias")));
        assertThat(weights.useBias()).isEqualTo(c.get("use_bias").booleanValue());
        assertThat(weights.units()).isEqualTo(c.get("units").intValue());
        return new LstmLayer(weights, Activation.byKerasName(c.get("activation").asString(), kerasMajor),
                Activation.byKerasName(c.get("recurrent_activation").asString(), kerasMajor),
                c.get("go_backwards").booleanValue(), path.options);
    }

    static LstmState initialState(JsonNode c) {
        JsonNode state = c.get("initial_state");
        return state == null ? null : new LstmState(matrix(state.get("h")), matrix(state.get("c")));
    }

    private static void checkExpected(String set, JsonNode c, LstmResult result) {
        String name = c.get("name").asString();
        JsonNode expected = c.get("expected");
        double error = Fixtures.assertAllclose(name + " outputs", flat(result.outputs()),
                flat(tensor3(expected.get("outputs"))), RTOL, ATOL);
        error = Math.max(error, Fixtures.assertAllclose(name + " h", flat(result.state().h()),
                flat(matrix(expected.get("h"))), RTOL, ATOL));
        error = Math.max(error, Fixtures.assertAllclose(name + " c", flat(result.state().c()),
                flat(matrix(expected.get("c"))), RTOL, ATOL));
        record(set, error);
    }

    private static void assertNotAllclose(LstmResult result, JsonNode c) {
        float[] actual = flat(result.outputs());
        float[] keras = flat(tensor3(c.get("expected").get("outputs")));
        boolean allclose = true;
        for (int i = 0; i < actual.length; i++) {
            allclose &= Math.abs((double) actual[i] - keras[i]) <= ATOL + RTOL * Math.abs((double) keras[i]);
        }
        assertThat(allclose).as("%s computed the wrong way must not pass", c.get("name").asString()).isFalse();
    }

    /** Every path accumulates each element in the same order, so a split run is one call's computation, to the bit. */
    private static void assertCarriedOver(LstmResult whole, float[][][] outputs, LstmState state) {
        assertSameBits("outputs", whole.outputs(), outputs);
        assertSameBits("state", whole.state(), state);
    }

    static LstmLayer randomLayer(int inputSize, int units, EnginePath path, long seed) {
        Random random = new Random(seed);
        float scale = (float) Math.sqrt(1.0 / inputSize);
        float[][] kernel = randomMatrix(random, inputSize, 4 * units);
        for (float[] row : kernel) {
            for (int j = 0; j < row.length; j++) {
                row[j] *= scale;
            }
        }
        LstmWeights weights = LstmWeights.of(kernel, randomMatrix(random, units, 4 * units),
                randomMatrix(random, 1, 4 * units)[0]);
        return new LstmLayer(weights, Activation.TANH, Activation.SIGMOID, false, path.options);
    }

    static float[][] randomMatrix(Random random, int rows, int columns) {
        float[][] out = new float[rows][columns];
        for (float[] row : out) {
            for (int j = 0; j < columns; j++) {
                row[j] = (float) (random.nextDouble() * 2 - 1) * 0.5f;
            }
        }
        return out;
    }

    private static float[][][] slice(float[][][] inputs, int from, int to) {
        float[][][] out = new float[inputs.length][][];
        for (int b = 0; b < inputs.length; b++) {
            out[b] = Arrays.copyOfRange(inputs[b], from, to);
        }
        return out;
    }

    private static int[][] sliceTokens(int[][] tokens, int from, int to) {
        int[][] out = new int[tokens.length][];
        for (int b = 0; b < tokens.length; b++) {
            out[b] = Arrays.copyOfRange(tokens[b], from, to);
        }
        return out;
    }

    private static float[][][] reverseTime(float[][][] inputs) {
        float[][][] out = new float[inputs.length][][];
        for (int b = 0; b < inputs.length; b++) {
            out[b] = new float[inputs[b].length][];
            for (int t = 0; t < inputs[b].length; t++) {
                out[b][t] = inputs[b][inputs[b].length - 1 - t];
            }
        }
        return out;
    }

    private static float[][][] concat(float[][][] first, float[][][] second) {
        float[][][] out = new float[first.length][][];
        for (int b = 0; b < first.length; b++) {
            out[b] = Stream.concat(Arrays.stream(first[b]), Arrays.stream(second[b])).toArray(float[][]::new);
        }
        return out;
    }

    /** JUnit's float-array equality compares {@link Float#floatToIntBits}: the same bits, not merely close. */
    static void assertSameBits(String what, float[][][] expected, float[][][] actual) {
        assertThat(actual.length).as(what + " batch").isEqualTo(expected.length);
        for (int b = 0; b < expected.length; b++) {
            assertThat(actual[b].length).as(what + "[" + b + "] steps").isEqualTo(expected[b].length);
            for (int s = 0; s < expected[b].length; s++) {
                assertArrayEquals(expected[b][s], actual[b][s], what + "[" + b + "][" + s + "]");
            }
        }
    }

    static void assertSameBits(String what, LstmState expected, LstmState actual) {
        assertSameBits(what + ".h", new float[][][] {expected.h()}, new float[][][] {actual.h()});
        assertSameBits(what + ".c", new float[][][] {expected.c()}, new float[][][] {actual.c()});
    }

    static void assertSameBits(String what, LstmResult expected, LstmResult actual) {
        assertSameBits(what + " outputs", expected.outputs(), actual.outputs());
        assertSameBits(what + " state", expected.state(), actual.state());
    }
}
