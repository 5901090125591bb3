package dev.lstmserve.parity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;

import dev.lstmserve.inference.LstmInference;
import dev.lstmserve.model.LstmModel;
import dev.lstmserve.model.ModelLoader;
import dev.lstmserve.model.ParitySample;
import dev.lstmserve.parity.ParityReport.CaseReport;
import dev.lstmserve.parity.ParityReport.TensorCheck;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The parity check: Keras' recorded numbers against the serving engine, compared like numpy's
 * {@code allclose(actual, expected, rtol, atol)}, i.e. {@code |a - e| ≤ atol + rtol·|e|} for every element.
 */
class ParityCheckerTests {

    private static final double RTOL = 1e-5;
    private static final double ATOL = 1e-6;

    @Test
    void theSeedToySamplesPass() {
        LstmModel seed = ModelLoader.loadDefault();
        LstmInference inference = new LstmInference(seed);

        ParityReport report = ParityChecker.check(cases(seed, inference), RTOL, ATOL);

        assertThat(report.passed()).isTrue();
        assertThat(report.rtol()).isEqualTo(RTOL);
        assertThat(report.atol()).isEqualTo(ATOL);
        assertThat(report.cases()).extracting(CaseReport::name).containsExactly(
                "seed-toy/return_sequences+return_state", "seed-toy/return_sequences", "seed-toy/return_state",
                "seed-toy/last_output");
        // The variants with return_state compare h and c too; the others only outputs.
        assertThat(report.cases()).extracting(c -> c.checks().stream().map(TensorCheck::tensor).toList())
                .containsExactly(List.of("outputs", "h", "c"), List.of("outputs"), List.of("outputs", "h", "c"),
                        List.of("outputs"));
        double max = 0;
        for (CaseReport c : report.cases()) {
            assertThat(c.model()).isEqualTo("seed-toy");
            assertThat(c.error()).isNull();
            for (TensorCheck check : c.checks()) {
                assertThat(check.allclose()).isTrue();
                assertThat(check.detail()).isNull();
                assertThat(check.maxAbsError()).isBetween(0.0, ATOL);
                max = Math.max(max, check.maxAbsError());
            }
        }
        System.out.printf("Max abs error, seed-toy parity samples: %.3g%n", max);
    }

    @ParameterizedTest
    @ValueSource(strings = {"masked-toy.json", "masked-go-backwards.json", "inputs-only.json",
            "hard-sigmoid-keras2.json"})
    void theTestModelSamplesPass(String file) {
        LstmModel model = ModelLoader.load(Path.of("src/test/resources/models", file));
        ParityReport report = ParityChecker.check(cases(model, new LstmInference(model)), RTOL, ATOL);

        assertThat(report.cases()).hasSize(model.parity().size());
        assertThat(report.cases()).allSatisfy(c -> assertThat(c.passed()).as(c.name()).isTrue());
        assertThat(report.passed()).isTrue();
    }

    @Test
    void oneFailingCaseFailsTheReport() {
        LstmModel seed = ModelLoader.loadDefault();
        LstmInference inference = new LstmInference(seed);
        ParitySample good = seed.parity().get(3);
        float[][] outputs = copy((float[][]) good.expectedOutputs());
        outputs[1][0] += 1e-3f;
        ParitySample bad = new ParitySample("changed", good.tokens(), null, good.initialState(), false, false,
                outputs, null, null);

        ParityReport report = ParityChecker.check(
                List.of(new ParityCase(good, inference), new ParityCase(bad, inference)), RTOL, ATOL);

        assertThat(report.passed()).isFalse();
        assertThat(report.cases()).extracting(CaseReport::passed).containsExactly(true, false);
        TensorCheck check = report.cases().get(1).checks().get(0);
        assertThat(check.tensor()).isEqualTo("outputs");
        assertThat(check.allclose()).isFalse();
        assertThat(check.maxAbsError()).isCloseTo(1e-3, within(1e-5));
        assertThat(check.detail()).startsWith("element [1][0] is ");
    }

    @Test
    void aSampleThatDoesNotFitTheModelReportsAnError() {
        LstmModel seed = ModelLoader.loadDefault();
        ParitySample sample = new ParitySample("out-of-vocabulary", new int[][] {{7, 8, 0, 5}, {6, 1, 3, 12}}, null,
                null, false, false, new float[2][2], null, null);

        CaseReport report = ParityChecker.check(new ParityCase(sample, new LstmInference(seed)), RTOL, ATOL);

        assertThat(report.passed()).isFalse();
        assertThat(report.checks()).isEmpty();
        assertThat(report.error()).isEqualTo(
                "the sample does not fit the model: tokens[1][3] = 12 is outside the vocabulary [0, 9)");
    }

    // ---------------------------------------------------------------- allclose on hand-made arrays

    @Test
    void anErrorOfExactlyAtolPlusRtolTimesKerasPasses() {
        // Powers of two, so that every sum below is exact in float and double: tolerance = 0.5 + 2^-10·1024 = 1.5.
        double rtol = 0x1p-10;
        double atol = 0.5;
        assertThat(ParityChecker.compare("t", new float[] {1025.5f}, new float[] {1024f}, rtol, atol).allclose())
                .isTrue();
        assertThat(ParityChecker.compare("t", new float[] {1022.5f}, new float[] {1024f}, rtol, atol).allclose())
                .isTrue();
        float justOver = Math.nextUp(1025.5f);
        TensorCheck over = ParityChecker.compare("t", new float[] {justOver}, new float[] {1024f}, rtol, atol);
        assertThat(over.allclose()).isFalse();
        assertThat(over.maxAbsError()).isEqualTo((double) justOver - 1024.0);
    }

    @Test
    void theRelativeToleranceScalesWithKerasValueLikeNumpy() {
        // numpy's allclose is asymmetric: rtol multiplies |expected| (Keras'), not |actual|.
        assertThat(ParityChecker.compare("t", new float[] {3.5f}, new float[] {2f}, 0.5, 0).allclose()).isFalse();
        assertThat(ParityChecker.compare("t", new float[] {2f}, new float[] {3.5f}, 0.5, 0).allclose()).isTrue();
    }

    @Test
    void theDefaultTolerancesAtTheBoundary() {
        // |a - e| ≤ 1e-6 + 1e-5·|e|: for e = 1 that is 1.1e-5, about 92 float32 ulps of 1.
        float e = 1f;
        float inside = 1f + 1.09e-5f;
        float outside = 1f + 1.12e-5f;
        assertThat(ParityChecker.compare("t", new float[] {inside}, new float[] {e}, RTOL, ATOL).allclose()).isTrue();
        assertThat(ParityChecker.compare("t", new float[] {outside}, new float[] {e}, RTOL, ATOL).allclose()).isFalse();
        // Near zero only atol is left.
        assertThat(ParityChecker.compare("t", new float[] {9e-7f}, new float[] {0f}, RTOL, ATOL).allclose()).isTrue();
        assertThat(ParityChecker.compare("t", new float[] {-1.1e-6f}, new float[] {0f}, RTOL, ATOL).allclose()).isFalse();
    }

    @Test
    void theMaxAbsErrorAndTheWorstElementAreReported() {
        float[][][] keras = {{{0.1f, 0.2f}, {0.3f, 0.4f}}, {{0.5f, 0.6f}, {0.7f, 0.8f}}};
        float[][][] actual = {{{0.1f, 0.2f}, {0.3f, 0.4f}}, {{0.5f, 0.6f}, {0.7f, 0.9f}}};

        TensorCheck check = ParityChecker.compare("outputs", actual, keras, RTOL, ATOL);

        assertThat(check.allclose()).isFalse();
        assertThat(check.maxAbsError()).isCloseTo(0.1, within(1e-6));
        assertThat(check.detail()).isEqualTo("element [1][1][1] is 0.9; Keras: 0.8");
        assertThat(ParityChecker.compare("outputs", keras, keras, RTOL, ATOL).maxAbsError()).isZero();
    }

    @Test
    void notANumberNeverPasses() {
        TensorCheck check = ParityChecker.compare("h", new float[][] {{Float.NaN, 0f}}, new float[][] {{0.5f, 0f}},
                RTOL, ATOL);
        assertThat(check.allclose()).isFalse();
        assertThat(check.maxAbsError()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(check.detail()).isEqualTo("element [0][0] is NaN; Keras: 0.5");
    }

    @Test
    void aShapeMismatchIsDescribed() {
        TensorCheck transposed = ParityChecker.compare("h", new float[2][3], new float[3][2], RTOL, ATOL);
        assertThat(transposed.allclose()).isFalse();
        assertThat(transposed.maxAbsError()).isNull();
        assertThat(transposed.detail()).isEqualTo("shape [2, 3] but Keras' is [3, 2]");

        TensorCheck rank = ParityChecker.compare("outputs", new float[3][2], new float[3][4][2], RTOL, ATOL);
        assertThat(rank.allclose()).isFalse();
        assertThat(rank.detail()).isEqualTo("shape [3, 2] but Keras' is [3, 4, 2]");
    }

    private static List<ParityCase> cases(LstmModel model, LstmInference inference) {
        return model.parity().stream().map(sample -> new ParityCase(sample, inference)).toList();
    }

    private static float[][] copy(float[][] rows) {
        float[][] out = new float[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            out[r] = rows[r].clone();
        }
        return out;
    }
}
