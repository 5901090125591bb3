package dev.lstmserve.core;

import java.util.Random;

/**
 * A timing loop, not a test: the products of one core's share of an S3 fused step (32 rows, 16 panels of E = 256
 * and H = 512, 3 MB of weights), against the same work on one panel's weights 16 times (192 KB, stays in L2) and on
 * 4 panels 4 times (768 KB): what streaming the weights from L3 costs the tiles, and how near a core's FMA peak they
 * run. Prints µs per step share and GFLOP/s for the last 6 of 12 rounds.
 *
 * <pre>
 * ./mvnw -q -Pbench test-compile exec:exec -Dbench.main=dev.lstmserve.core.StepProductsTiming \
 *     -Dbench.jvmArgs="--add-modules jdk.incubator.vector"
 * </pre>
 */
public final class StepProductsTiming {

    private StepProductsTiming() {
    }

    public static void main(String[] args) {
        int batch = 32;
        int inputSize = 256;
        int units = 512;
        Random random = new Random(1);
        PackedLstm packed = PackedLstm.of(RandomData.weights(random, inputSize, units), Kernels.lanes());
        TileKernel tiles = Kernels.active();
        float[][] x = RandomData.matrix(random, batch, inputSize);
        float[][] h = RandomData.matrix(random, batch, units);
        int width = packed.width();
        float[] z = new float[batch * width];
        int panels = 16;
        String[] names = {"16 panels (3 MB)", "1 panel 16 times (192 KB)", "4 panels 4 times (768 KB)"};
        for (int round = 0; round < 12; round++) {
            for (int mode = 0; mode < names.length; mode++) {
                int reps = 200;
                long start = System.nanoTime();
                for (int rep = 0; rep < reps; rep++) {
                    for (int q = 0; q < panels; q++) {
                        int p = mode == 0 ? q : mode == 1 ? 0 : q % 4;
                        tiles.accumulate(packed.bias(), p * width, 0, x, 0, inputSize, packed.kernel(),
                                packed.kernelPanel(p), batch, z, 0, width);
                        tiles.accumulate(h, 0, batch, units, packed.recurrentKernel(), packed.recurrentPanel(p), z, 0,
                                width);
                    }
                }
                double micros = (System.nanoTime() - start) / 1e3 / reps;
                double gflops = 2.0 * batch * (inputSize + units) * width * panels / micros / 1e3;
                if (round >= 6) {
                    System.out.printf("%-26s %.1f µs per step share, %.0f GFLOP/s%n", names[mode], micros, gflops);
                }
            }
        }
    }
}
