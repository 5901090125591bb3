package dev.lstmserve.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * API.md: "Same inputs give the same bits: results do not depend on ... which other requests a request was batched
 * with." A window run alone and the same window at every position of every batch from 1 to 17 rows (every edge-row
 * tile: 17 = 6 + 6 + 4 + 1) get the same bits, on every kernel this JVM has, every engine path, and both directions;
 * and every kernel and path gives the bits of the automatic one.
 */
class BatchInvarianceTests {

    private static final int STEPS = 6;

    static Stream<Arguments> kernelsAndPaths() {
        List<Arguments> out = new ArrayList<>();
        for (TileKernel kernel : Kernels.available()) {
            for (EnginePath path : EnginePath.values()) {
                for (boolean goBackwards : new boolean[] {false, true}) {
                    out.add(Arguments.of(kernel.name(), path, goBackwards));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} kernels, {1}, go_backwards={2}")
    @MethodSource("kernelsAndPaths")
    void aWindowGetsTheSameBitsAtEveryPositionOfEveryBatch(String kernelName, EnginePath path, boolean goBackwards) {
        TileKernel kernel = Kernels.available().stream().filter(k -> k.name().equals(kernelName)).findFirst()
                .orElseThrow();
        // H = 40: three panels of 16 units, the last one partly filled; E = 12.
        LstmWeights weights = RandomData.weights(new Random(21), 12, 40);
        LstmLayer automatic = new LstmLayer(weights, Activation.TANH, Activation.SIGMOID, goBackwards);
        EngineOptions options = path.options.withKernel(kernel);
        LstmLayer layer = new LstmLayer(weights, Activation.TANH, Activation.SIGMOID, goBackwards, options);

        Random random = new Random(22);
        float[][] window = RandomData.matrix(random, STEPS, 12);
        boolean[] windowMask = {true, true, false, true, true, false};
        float[] h0 = RandomData.matrix(random, 1, 40)[0];
        float[] c0 = RandomData.matrix(random, 1, 40)[0];
        LstmResult alone = automatic.forward(new float[][][] {window}, new boolean[][] {windowMask},
                new LstmState(new float[][] {h0}, new float[][] {c0}));

        for (int batch = 1; batch <= 17; batch++) {
            float[][][] others = RandomData.inputs(random, batch, STEPS, 12);
            float[][] h = RandomData.matrix(random, batch, 40);
            float[][] c = RandomData.matrix(random, batch, 40);
            boolean[][] mask = new boolean[batch][STEPS];
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < STEPS; t++) {
                    mask[b][t] = random.nextInt(5) != 0;
                }
            }
            for (int at = 0; at < batch; at++) {
                float[][][] inputs = others.clone();
                inputs[at] = window;
                float[][] hs = h.clone();
                float[][] cs = c.clone();
                hs[at] = h0;
                cs[at] = c0;
                boolean[][] masks = mask.clone();
                masks[at] = windowMask;

                LstmResult batched = layer.forward(inputs, masks, new LstmState(hs, cs));

                String where = "row " + at + " of " + batch;
                for (int s = 0; s < STEPS; s++) {
                    assertArrayEquals(alone.outputs()[0][s], batched.outputs()[at][s], where + ", outputs step " + s);
                }
                assertArrayEquals(alone.state().h()[0], batched.state().h()[at], where + ", h");
                assertArrayEquals(alone.state().c()[0], batched.state().c()[at], where + ", c");
            }
        }
    }

    /**
     * The automatic path choice, the one production takes, across {@link LstmLayer#PROJECTED_MAX_BATCH}: a batch just
     * below, at and above it projects its inputs before the time loop or inside each step, and the window keeps its
     * bits either way (a choice that changed what a row computes with B would fail here).
     */
    @ParameterizedTest(name = "go_backwards={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aWindowGetsTheSameBitsOnEachSideOfTheProjectionThreshold(boolean goBackwards) {
        LstmWeights weights = RandomData.weights(new Random(31), 12, 40);
        LstmLayer automatic = new LstmLayer(weights, Activation.TANH, Activation.SIGMOID, goBackwards);
        Random random = new Random(32);
        float[][] window = RandomData.matrix(random, STEPS, 12);
        float[] h0 = RandomData.matrix(random, 1, 40)[0];
        float[] c0 = RandomData.matrix(random, 1, 40)[0];
        LstmResult alone = automatic.forward(new float[][][] {window}, null,
                new LstmState(new float[][] {h0}, new float[][] {c0}));

        int threshold = LstmLayer.PROJECTED_MAX_BATCH;
        for (int batch : new int[] {threshold - 1, threshold, threshold + 1, threshold + 2}) {
            float[][][] inputs = RandomData.inputs(random, batch, STEPS, 12);
            float[][] h = RandomData.matrix(random, batch, 40);
            float[][] c = RandomData.matrix(random, batch, 40);
            for (int at : new int[] {0, batch / 2, batch - 1}) {
                inputs[at] = window;
                h[at] = h0;
                c[at] = c0;
            }
            LstmResult batched = automatic.forward(inputs, null, new LstmState(h, c));
            for (int at : new int[] {0, batch / 2, batch - 1}) {
                String where = "row " + at + " of " + batch;
                for (int s = 0; s < STEPS; s++) {
                    assertArrayEquals(alone.outputs()[0][s], batched.outputs()[at][s], where + ", outputs step " + s);
                }
                assertArrayEquals(alone.state().h()[0], batched.state().h()[at], where + ", h");
                assertArrayEquals(alone.state().c()[0], batched.state().c()[at], where + ", c");
            }
        }
    }
}
