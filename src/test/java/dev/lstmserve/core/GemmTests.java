package dev.lstmserve.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * {@link Gemm}, the product Dense layers call: {@code x·kernel + bias} against the same sum in double, and batch
 * invariance (a row's bits do not depend on M or on the other rows), on every kernel and thread split.
 */
class GemmTests {

    @Test
    void multipliesLikeTheDoubleSum() {
        Random random = new Random(1);
        // N = 150: two full panels of 64 and a partial one; K = 37.
        float[][] kernel = RandomData.matrix(random, 37, 150);
        float[] bias = RandomData.matrix(random, 1, 150)[0];
        float[][] x = RandomData.matrix(random, 23, 37);

        float[][] out = Gemm.of(kernel, bias).multiply(x);

        assertThat(out).hasDimensions(23, 150);
        for (int m = 0; m < 23; m++) {
            for (int n = 0; n < 150; n++) {
                double sum = bias[n];
                for (int k = 0; k < 37; k++) {
                    sum += (double) x[m][k] * kernel[k][n];
                }
                assertThat((double) out[m][n]).as("out[%d][%d]", m, n).isCloseTo(sum,
                        org.assertj.core.api.Assertions.within(1e-6));
            }
        }
        float[][] noBias = Gemm.of(kernel, null).multiply(x);
        assertThat((double) noBias[3][100]).isCloseTo(out[3][100] - bias[100],
                org.assertj.core.api.Assertions.within(1e-6));
    }

    @Test
    void aRowGetsTheSameBitsAtEveryPositionOfEveryBatchOnEveryKernel() {
        Random random = new Random(2);
        float[][] kernel = RandomData.matrix(random, 29, 70);
        float[] bias = RandomData.matrix(random, 1, 70)[0];
        Gemm gemm = Gemm.of(kernel, bias);
        float[] row = RandomData.matrix(random, 1, 29)[0];
        float[] alone = gemm.multiply(new float[][] {row})[0];
        for (TileKernel tiles : Kernels.available()) {
            for (boolean split : new boolean[] {false, true}) {
                for (int rows = 1; rows <= 17; rows++) {
                    float[][] x = RandomData.matrix(random, rows, 29);
                    for (int at = 0; at < rows; at++) {
                        float[][] batch = x.clone();
                        batch[at] = row;
                        float[][] out = new float[rows][70];
                        gemm.multiply(batch, out, tiles, split);
                        assertArrayEquals(alone, out[at], tiles.name() + ", split " + split + ", row " + at + " of "
                                + rows);
                    }
                }
            }
        }
    }

    @Test
    void largeProductsSplitAcrossThreadsGiveTheSameBits() {
        Random random = new Random(3);
        Gemm gemm = Gemm.of(RandomData.matrix(random, 300, 600), null);
        float[][] x = RandomData.matrix(random, 40, 300);
        float[][] whole = gemm.multiply(x);
        float[][] one = new float[40][600];
        gemm.multiply(x, one, Kernels.active(), false);
        assertThat(one).isDeepEqualTo(whole);
        float[][] lastRow = gemm.multiply(new float[][] {x[39]});
        assertArrayEquals(whole[39], lastRow[0]);
    }

    @Test
    void shapeErrorsNameTheArray() {
        Gemm gemm = Gemm.of(new float[3][5], new float[5]);
        assertThat(gemm.inputSize()).isEqualTo(3);
        assertThat(gemm.outputSize()).isEqualTo(5);
        assertThatThrownBy(() -> gemm.multiply(new float[][] {new float[3], new float[4]}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x[1] has 4 values; expected 3");
        assertThatThrownBy(() -> gemm.multiply(new float[0][])).hasMessageContaining("x is empty");
        assertThatThrownBy(() -> Gemm.of(new float[3][5], new float[4]))
                .hasMessageContaining("bias has 4 values; expected 5");
        assertThatThrownBy(() -> Gemm.of(new float[][] {new float[5], new float[4]}, null))
                .hasMessageContaining("kernel[1] has 4 values; expected 5");
        assertThatThrownBy(() -> Gemm.of(new float[0][], null)).hasMessageContaining("kernel is empty");
    }
}
