package dev.lstmserve.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * API.md: "results do not depend on [...] which other requests a request was batched with". A window gets the same
 * bits alone as inside batches of several sizes, through the path production takes: a layer built as the model
 * loader builds it (default, automatic projection), with the batch split across threads forced on whatever the
 * machine's core count ({@link LstmLayer#CORES_PROPERTY}).
 *
 * <p>Models and windows sit on each side of every size threshold of the engine's path choice, computed from the
 * constants so the test follows them when they move: {@link InputProjection#GEMM_MIN_INPUT_SIZE} and
 * {@link InputProjection#GEMM_MIN_WINDOW_WORK} (Java loops or a per-window ND4J GEMM), and
 * {@link LstmLayer#PARALLEL_MIN_BATCH} and {@link LstmLayer#PARALLEL_MIN_WORK} (one thread or batch slices in
 * parallel). A choice that looked at the batch (say B·T instead of T) would give a window alone one path and the same
 * window in a batch the other, and so other bits.
 */
class BatchInvarianceTests {

    /** More than one core whatever the machine has, so batches above the split thresholds are split. */
    private static final int FORCED_CORES = 4;

    /**
     * H of the wide models. The window-work threshold falls at T = GEMM_MIN_WINDOW_WORK / (E·4H) steps, so T·H is
     * fixed; H = 64 keeps both the window (T·E floats) and the time loop (T·4H² multiply-adds) small.
     */
    private static final int WIDE_UNITS = 64;

    /** H of the small model whose batches cross the split thresholds. */
    private static final int SMALL_UNITS = 32;

    private static String savedCores;

    @BeforeAll
    static void forceTheBatchSplit() {
        savedCores = System.getProperty(LstmLayer.CORES_PROPERTY);
        System.setProperty(LstmLayer.CORES_PROPERTY, Integer.toString(FORCED_CORES));
    }

    @AfterAll
    static void restoreTheCoreCount() {
        if (savedCores == null) {
            System.clearProperty(LstmLayer.CORES_PROPERTY);
        } else {
            System.setProperty(LstmLayer.CORES_PROPERTY, savedCores);
        }
    }

    static Stream<Arguments> sidesOfEveryThreshold() {
        int e = InputProjection.GEMM_MIN_INPUT_SIZE;
        int minBatch = LstmLayer.PARALLEL_MIN_BATCH;
        // The small model's window: PARALLEL_MIN_BATCH rows stay below PARALLEL_MIN_WORK, one row more reaches it.
        long stepWork = 4L * SMALL_UNITS * SMALL_UNITS;
        int smallSteps = (int) ceilDiv(LstmLayer.PARALLEL_MIN_WORK, (minBatch + 1) * stepWork);
        // A window near GEMM_MIN_WINDOW_WORK costs that many multiply-adds in the Java loops (~0.1 s here), so the
        // wide models' batches are few: 2 rows already make B·T·E·4H cross the threshold; the ND4J one (cheap)
        // also gets PARALLEL_MIN_BATCH + 1 rows, where BLAS would round a row differently in one GEMM for the batch.
        return Stream.of(
                Arguments.argumentSet("E = GEMM_MIN_INPUT_SIZE - 1, window work at GEMM_MIN_WINDOW_WORK",
                        e - 1, WIDE_UNITS, stepsForWindowWork(e - 1, WIDE_UNITS), InputProjection.JAVA, new int[] {2}),
                Arguments.argumentSet("E = GEMM_MIN_INPUT_SIZE, window work just below GEMM_MIN_WINDOW_WORK",
                        e, WIDE_UNITS, stepsForWindowWork(e, WIDE_UNITS) - 1, InputProjection.JAVA, new int[] {2, 3}),
                Arguments.argumentSet("E = GEMM_MIN_INPUT_SIZE, window work at GEMM_MIN_WINDOW_WORK",
                        e, WIDE_UNITS, stepsForWindowWork(e, WIDE_UNITS), InputProjection.ND4J,
                        new int[] {2, minBatch + 1}),
                Arguments.argumentSet("small model, batches around PARALLEL_MIN_BATCH and PARALLEL_MIN_WORK",
                        16, SMALL_UNITS, smallSteps, InputProjection.JAVA,
                        new int[] {2, minBatch - 1, minBatch, minBatch + 1, 2 * minBatch, 2 * minBatch + 1}));
    }

    @ParameterizedTest
    @MethodSource("sidesOfEveryThreshold")
    void aWindowGetsTheSameBitsAloneAsInsideBatchesOfSeveralSizes(int inputSize, int units, int steps,
                                                                   InputProjection path, int[] batches) {
        Random random = new Random(inputSize * 31L + steps);
        LstmLayer lstm = new LstmLayer(randomWeights(random, inputSize, units), Activation.TANH, Activation.SIGMOID,
                false);
        // The shapes are on the side of each threshold this case claims.
        assertThat(lstm.projectionFor(steps)).as("the automatic projection for T = %d", steps).isEqualTo(path);
        float[][] window = random(random, steps, inputSize);
        float[] h0 = random(random, 1, units)[0];
        float[] c0 = random(random, 1, units)[0];
        LstmResult alone = lstm.forward(new float[][][] {window},
                new LstmState(new float[][] {h0}, new float[][] {c0}));

        for (int batch : batches) {
            long work = (long) batch * steps * 4L * units * units;
            boolean split = batch >= LstmLayer.PARALLEL_MIN_BATCH && work >= LstmLayer.PARALLEL_MIN_WORK;
            assertThat(lstm.chunks(batch, steps)).as("slices of a batch of %d", batch).isEqualTo(
                    split ? Math.min(FORCED_CORES, batch / 4) : 1);
            // The window at the first row, in the middle and at the last row (the last slice may be partial); every
            // other row its own random window and state.
            int[] mine = IntStream.of(0, batch / 2, batch - 1).distinct().toArray();
            float[][][] inputs = new float[batch][][];
            float[][] h = new float[batch][];
            float[][] c = new float[batch][];
            for (int b = 0; b < batch; b++) {
                int row = b;
                boolean isMine = IntStream.of(mine).anyMatch(m -> m == row);
                inputs[b] = isMine ? window : random(random, steps, inputSize);
                h[b] = isMine ? h0 : random(random, 1, units)[0];
                c[b] = isMine ? c0 : random(random, 1, units)[0];
            }

            LstmResult batched = lstm.forward(inputs, new LstmState(h, c));

            for (int at : mine) {
                String where = "E=" + inputSize + " H=" + units + " T=" + steps + ", row " + at + " of a batch of "
                        + batch + (split ? " (split)" : "");
                for (int s = 0; s < steps; s++) {
                    assertArrayEquals(alone.outputs()[0][s], batched.outputs()[at][s], where + ", outputs step " + s);
                }
                assertArrayEquals(alone.state().h()[0], batched.state().h()[at], where + ", h");
                assertArrayEquals(alone.state().c()[0], batched.state().c()[at], where + ", c");
            }
        }
    }

    /** The fewest steps whose input projection, T·E·4H multiply-adds, reaches GEMM_MIN_WINDOW_WORK. */
    private static int stepsForWindowWork(int inputSize, int units) {
        return (int) ceilDiv(InputProjection.GEMM_MIN_WINDOW_WORK, (long) inputSize * 4 * units);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** Keras-like scales: kernel ±sqrt(1/E), recurrent kernel and bias ±0.5. */
    private static LstmWeights randomWeights(Random random, int inputSize, int units) {
        float[][] kernel = random(random, inputSize, 4 * units);
        float scale = (float) Math.sqrt(1.0 / inputSize);
        for (float[] row : kernel) {
            for (int j = 0; j < row.length; j++) {
                row[j] *= 2 * scale;
            }
        }
        return LstmWeights.of(kernel, random(random, units, 4 * units), random(random, 1, 4 * units)[0]);
    }

    /** Uniform in [-0.5, 0.5). */
    private static float[][] random(Random random, int rows, int columns) {
        float[][] out = new float[rows][columns];
        for (float[] row : out) {
            for (int j = 0; j < columns; j++) {
                row[j] = random.nextFloat() - 0.5f;
            }
        }
        return out;
    }
}
