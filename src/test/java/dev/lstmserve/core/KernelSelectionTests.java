package dev.lstmserve.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Which kernel this JVM runs, and that the choice never shows in the numbers. The build runs the core tests twice
 * (pom.xml): with {@code --add-modules jdk.incubator.vector} (the Vector API kernel must be active) and without (the
 * scalar fallback must be detected, without loading any class of the module); {@code lstm.expect.kernel} says which.
 */
class KernelSelectionTests {

    @Test
    void thisJvmRunsTheKernelTheBuildConfiguredItFor() {
        String expected = System.getProperty("lstm.expect.kernel");
        assumeTrue(expected != null, "run outside the build: no expected kernel");
        assertThat(Kernels.active().name()).isEqualTo(expected);
        assertThat(Kernels.describe()).startsWith(expected + " kernels");
        boolean moduleAdded = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        assertThat(moduleAdded).isEqualTo(expected.equals("vector"));
    }

    @Test
    void bothKernelsAccumulateTheSameBitsForEveryTileShape() {
        assumeTrue(Kernels.available().size() == 2, "this JVM runs without the Vector API module");
        TileKernel vector = Kernels.available().get(0);
        TileKernel scalar = Kernels.SCALAR;
        int width = 4 * vector.lanes;
        Random random = new Random(7);
        // Every tile and remainder: tiles of 6 rows and the rest in one or two tiles of 1 to 5.
        int[] rowCounts = java.util.stream.IntStream.concat(java.util.stream.IntStream.rangeClosed(1, 21),
                java.util.stream.IntStream.of(63, 64, 65, 71)).toArray();
        for (int rows : rowCounts) {
            for (int depth : new int[] {1, 2, 7, 64, 129}) {
                float[][] a = RandomData.matrix(random, rows + 2, depth);
                float[] w = new float[3 * depth * width];
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) random.nextGaussian();
                }
                int stride = width + 5;
                float[] z = new float[(rows + 3) * stride];
                for (int i = 0; i < z.length; i++) {
                    z[i] = (float) random.nextGaussian();
                }
                float[] zVector = z.clone();
                float[] zScalar = z.clone();
                // Rows from 1, the second panel, z rows from 3 with a stride wider than the panel.
                vector.accumulate(a, 1, rows, depth, w, depth * width, zVector, 3, stride);
                scalar.accumulate(a, 1, rows, depth, w, depth * width, zScalar, 3, stride);
                assertThat(zVector).as("rows %d depth %d", rows, depth).containsExactly(zScalar);

                // From a bias row (stride 0) through two products, as the fused step does: the same bits as copying
                // the bias to every row and accumulating each product in place.
                float[] bias = new float[width + 9];
                for (int i = 0; i < bias.length; i++) {
                    bias[i] = (float) random.nextGaussian();
                }
                float[][] h = RandomData.matrix(random, rows + 4, depth + 3);
                float[] u = new float[(depth + 3) * width];
                for (int i = 0; i < u.length; i++) {
                    u[i] = (float) random.nextGaussian();
                }
                float[] inPlace = z.clone();
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(bias, 9, inPlace, 3 + r * stride, width);
                }
                scalar.accumulate(a, 1, rows, depth, w, depth * width, inPlace, 3, stride);
                scalar.accumulate(h, 4, rows, depth + 3, u, 0, inPlace, 3, stride);
                for (TileKernel kernel : new TileKernel[] {vector, scalar}) {
                    float[] fused = z.clone();
                    kernel.accumulate(bias, 9, 0, a, 1, depth, w, depth * width, rows, fused, 3, stride);
                    kernel.accumulate(h, 4, rows, depth + 3, u, 0, fused, 3, stride);
                    assertThat(fused).as("%s from a bias, rows %d depth %d", kernel.name(), rows, depth)
                            .containsExactly(inPlace);
                }
            }
        }
    }

    @Test
    void aLayerGivesTheSameBitsOnBothKernels() {
        assumeTrue(Kernels.available().size() == 2, "this JVM runs without the Vector API module");
        LstmWeights weights = RandomData.weights(new Random(8), 33, 70);
        Random random = new Random(9);
        float[][][] inputs = RandomData.inputs(random, 9, 11, 33);
        LstmResult vector = new LstmLayer(weights, Activation.TANH, Activation.SIGMOID, false,
                new EngineOptions(Kernels.available().get(0), null, null, null)).forward(inputs, null);
        LstmResult scalar = new LstmLayer(weights, Activation.TANH, Activation.SIGMOID, false,
                new EngineOptions(Kernels.SCALAR, null, null, null)).forward(inputs, null);
        LstmLayerTests.assertSameBits("vector vs scalar", vector, scalar);
    }
}
