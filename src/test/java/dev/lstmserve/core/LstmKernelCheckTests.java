package dev.lstmserve.core;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import tools.jackson.databind.JsonNode;

/** The start-up proof that a served layer's fast kernels compute the float64 equations. */
class LstmKernelCheckTests {

    /** /parity's default tolerance (API.md). */
    private static final double RTOL = 1e-5;
    private static final double ATOL = 1e-6;

    @ParameterizedTest(name = "E={0}")
    @ValueSource(ints = {1, 2, 17, 64, 300})
    void passesForLayersOfEveryShapeAndNamesItsKernels(int inputSize) {
        // H from 1 (a 1-unit panel) to 130 (nine panels, the last one with 2 units).
        for (int units : new int[] {1, 2, 16, 33, 130}) {
            LstmLayer layer = new LstmLayer(RandomData.weights(new Random(inputSize * 31L + units), inputSize, units),
                    Activation.TANH, Activation.SIGMOID, units % 2 == 0);

            LstmKernelCheck.Result result = LstmKernelCheck.of(layer).run(RTOL, ATOL);

            assertThat(result.passed()).as("E=%d H=%d: %s", inputSize, units, result).isTrue();
            assertThat(result.checks()).extracting(LstmKernelCheck.Check::tensor).containsExactly("outputs", "h", "c");
            assertThat(result.maxAbsError()).isLessThan(1e-6);
            assertThat(result.kernels()).isEqualTo(Kernels.active().name());
            assertThat(result.name()).contains("E=" + inputSize, "H=" + units, result.kernels() + " kernels");
        }
    }

    @Test
    void passesForALayerOfTheLargestBenchmarkShape() {
        // Issue 7's S4 layer (E = 512, H = 1024): sums over 1 536 products per element, the float32 rounding the
        // tolerance has to cover. Weights as Keras initialises them (glorot-uniform kernel, recurrent scale 1/√H).
        Random random = new Random(12);
        float[][] kernel = RandomData.matrix(random, 512, 4096);
        float[][] recurrent = RandomData.matrix(random, 1024, 4096);
        RandomData.scale(kernel, (float) (2 * Math.sqrt(6.0 / (512 + 4096))));
        RandomData.scale(recurrent, (float) (2 * Math.sqrt(3.0 / 1024)));
        LstmLayer layer = new LstmLayer(LstmWeights.of(kernel, recurrent, new float[4096]), Activation.TANH,
                Activation.SIGMOID, false);

        LstmKernelCheck.Result result = LstmKernelCheck.of(layer).run(RTOL, ATOL);

        assertThat(result.passed()).as("%s", result).isTrue();
        assertThat(result.maxAbsError()).isLessThan(1e-6);
    }


    @ParameterizedTest
    @EnumSource(Activation.class)
    void passesForEveryActivation(Activation activation) {
        assumeTrue(activation.isElementWise(), "not element-wise: the LSTM mapper refuses it for an LSTM");
        // In each role next to the usual one (both roles unbounded, e.g. softplus, make c grow without limit: float32
        // and float64 then part by more than any tolerance, in Keras as here).
        LstmWeights weights = RandomData.weightsFor(activation, new Random(9), 20, 24);
        for (LstmLayer layer : new LstmLayer[] {new LstmLayer(weights, activation, Activation.SIGMOID, false),
                new LstmLayer(weights, Activation.TANH, activation, false)}) {
            LstmKernelCheck.Result result = LstmKernelCheck.of(layer).run(RTOL, ATOL);
            assertThat(result.passed()).as("%s", result).isTrue();
        }
    }

    @Test
    void passesForTheSeedToyModel() {
        JsonNode c = LstmLayerTests.find(Fixtures.classpath("oracle/lstm-cases.json").get("cases"), "larger_H32");
        assertThat(LstmKernelCheck.of(LstmLayerTests.layer(c, EnginePath.AUTO)).run(RTOL, ATOL).passed()).isTrue();
    }

    @Test
    void failsNamingTheTensorAndElementWhenTheEquationsDiffer() {
        LstmWeights weights = RandomData.weights(new Random(5), 8, 12);
        LstmLayer layer = new LstmLayer(weights, Activation.TANH, Activation.SIGMOID, false);
        // The same weights read as if go_backwards: the outputs must differ, and the check must say where.
        LstmReference wrong = new LstmReference(weights, Activation.TANH, Activation.SIGMOID, true);

        LstmKernelCheck.Result result = LstmKernelCheck.of(layer, wrong).run(RTOL, ATOL);

        assertThat(result.passed()).isFalse();
        LstmKernelCheck.Check outputs = result.checks().get(0);
        assertThat(outputs.allclose()).isFalse();
        assertThat(outputs.maxAbsError()).isGreaterThan(1e-3);
        assertThat(outputs.detail()).startsWith("B=").contains("outputs[", "float64 equations:");
    }
}
