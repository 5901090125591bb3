package dev.lstmserve.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every Keras activation as the engine's kernels apply it inside the fused gate update, against its definition in
 * double ({@link LstmReference#apply}, keras/src/activations/activations.py): lane by lane within float32 rounding,
 * through a whole layer within the parity tolerance, and the same bits on the Vector API and the scalar path.
 * Activations without a vectorised form go through {@link Activation#apply}, so a new one is covered here as soon as
 * it is added to the enum.
 */
class KernelActivationTests {

    /** About 2.5 float32 ulps, with an absolute floor for results near 0 (hard_sigmoid's 0.2x + 0.5 near −2.5). */
    private static final double RTOL = 3e-7;
    private static final double ATOL = 1e-7;

    @ParameterizedTest
    @EnumSource(Activation.class)
    void kernelFormIsWithinFloat32RoundingOfTheDefinition(Activation activation) {
        assumeTrue(activation.isElementWise(), "not element-wise: the LSTM mapper refuses it for an LSTM");
        int code = GateMath.code(activation);
        double worst = 0;
        for (double x = -40; x <= 40; x += 0.00037) {
            float xf = (float) x;
            double expected = LstmReference.apply(activation, xf);
            double error = Math.abs(GateMath.apply(code, activation, xf) - expected);
            worst = Math.max(worst, error - (ATOL + RTOL * Math.abs(expected)));
            assertThat(error).as("%s(%s)", activation, xf).isLessThanOrEqualTo(ATOL + RTOL * Math.abs(expected));
        }
        assertThat(worst).isLessThanOrEqualTo(0);
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void fusedGatesMatchTheFloat64Equations(Activation activation) {
        assumeTrue(activation.isElementWise(), "not element-wise: the LSTM mapper refuses it for an LSTM");
        // The activation in each role, next to the usual one in the other, on a layer of 3 panels (H = 40, the last
        // one partly filled) with masked steps and a state.
        for (boolean asRecurrent : new boolean[] {false, true}) {
            Activation act = asRecurrent ? Activation.TANH : activation;
            Activation rec = asRecurrent ? activation : Activation.SIGMOID;
            LstmLayer layer = new LstmLayer(RandomData.weightsFor(activation, new Random(3), 9, 40), act, rec, false);
            Random random = new Random(4);
            float[][][] inputs = RandomData.inputs(random, 5, 7, 9);
            boolean[][] mask = new boolean[5][7];
            for (int b = 0; b < 5; b++) {
                for (int t = 0; t < 7; t++) {
                    mask[b][t] = (b + t) % 4 != 1;
                }
            }
            LstmState state = new LstmState(RandomData.matrix(random, 5, 40),
                    RandomData.matrix(random, 5, 40));

            // API.md's parity tolerance: unbounded activations (softplus, swish, elu as a gate) let c grow, so the
            // float32 rounding grows with it.
            double excess = RandomData.allcloseExcess(layer.forward(inputs, mask, state),
                    LstmReference.of(layer).forward(inputs, mask, state), 1e-5, 1e-6);

            assertThat(excess).as("%s as %s", activation, asRecurrent ? "recurrent_activation" : "activation")
                    .isLessThanOrEqualTo(0);
        }
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void vectorAndScalarKernelsApplyItToTheSameBits(Activation activation) {
        assumeTrue(activation.isElementWise(), "not element-wise: the LSTM mapper refuses it for an LSTM");
        assumeTrue(Kernels.available().size() == 2, "this JVM runs without the Vector API module");
        TileKernel vector = Kernels.available().get(0);
        TileKernel scalar = Kernels.SCALAR;
        int lanes = vector.lanes;
        Random random = new Random(activation.ordinal());
        TileKernel.Gates gates = TileKernel.Gates.of(activation, activation);
        int rows = 3;
        int stride = 4 * lanes + 3;
        boolean[] live = {true, false, true};
        for (int round = 0; round < 300; round++) {
            float[] z = new float[rows * stride];
            for (int j = 0; j < z.length; j++) {
                // Wide and narrow values: the exp range limits, tanh's small-argument branch, hard_sigmoid's clips.
                z[j] = (float) (random.nextGaussian() * (round % 3 == 0 ? 30 : round % 3 == 1 ? 3 : 0.3));
            }
            float[][] c = RandomData.matrix(random, rows, lanes + 2);
            float[][] hPrev = RandomData.matrix(random, rows, lanes + 2);
            float[][] cVector = RandomData.copy(c);
            float[][] cScalar = RandomData.copy(c);
            float[][] hVector = new float[rows][lanes + 2];
            float[][] hScalar = new float[rows][lanes + 2];
            vector.gates(z.clone(), 0, stride, rows, live, cVector, hPrev, hVector, 1, new float[rows * lanes], gates);
            scalar.gates(z.clone(), 0, stride, rows, live, cScalar, hPrev, hScalar, 1, new float[rows * lanes], gates);
            for (int r = 0; r < rows; r++) {
                assertThat(cVector[r]).as("c row %d, round %d", r, round).containsExactly(cScalar[r]);
                assertThat(hVector[r]).as("h row %d, round %d", r, round).containsExactly(hScalar[r]);
            }
            // The masked row kept its c and copied h_tm1.
            assertThat(cVector[1]).containsExactly(c[1]);
            assertThat(java.util.Arrays.copyOfRange(hVector[1], 1, 1 + lanes))
                    .containsExactly(java.util.Arrays.copyOfRange(hPrev[1], 1, 1 + lanes));
        }
    }
}
