package dev.lstmserve.core;

import static dev.lstmserve.core.Fixtures.flat;
import static dev.lstmserve.core.Fixtures.matrix;
import static dev.lstmserve.core.Fixtures.tensor3;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import tools.jackson.databind.JsonNode;

/**
 * The float64 yardstick against the oracle fixtures (tf.keras semantics by tfjs 4.22.0, tools/keras-oracle): the
 * equations the fast kernels are checked against are Keras' own, including go_backwards, masking, states and every
 * activation the fixtures hold.
 */
class LstmReferenceTests {

    private static final JsonNode LSTM_CASES = Fixtures.classpath("oracle/lstm-cases.json").get("cases");
    private static final JsonNode MASKING_CASES = Fixtures.classpath("oracle/masking-cases.json").get("cases");

    static Stream<String> lstmCases() {
        return StreamSupport.stream(LSTM_CASES.spliterator(), false).map(c -> c.get("name").asString());
    }

    static Stream<String> maskingCases() {
        return StreamSupport.stream(MASKING_CASES.spliterator(), false).map(c -> c.get("name").asString());
    }

    @ParameterizedTest
    @MethodSource("lstmCases")
    void matchesOracleCase(String name) {
        JsonNode c = LstmLayerTests.find(LSTM_CASES, name);
        LstmReference reference = LstmReference.of(LstmLayerTests.layer(c, EnginePath.AUTO));
        check(c, reference.forward(tensor3(c.get("inputs")), null, LstmLayerTests.initialState(c)));
    }

    @ParameterizedTest
    @MethodSource("maskingCases")
    void matchesOracleMaskingCase(String name) {
        JsonNode c = LstmLayerTests.find(MASKING_CASES, name);
        Embedding embedding = new Embedding(matrix(c.get("embedding")), true);
        int[][] tokens = Fixtures.intMatrix(c.get("tokens"));
        LstmReference reference = LstmReference.of(LstmLayerTests.layer(c, EnginePath.AUTO));
        check(c, reference.forward(embedding.lookup(tokens), embedding.mask(tokens), LstmLayerTests.initialState(c)));
    }

    private static void check(JsonNode c, LstmReference.Result result) {
        JsonNode expected = c.get("expected");
        assertAllclose("outputs", result.outputs(), tensor3(expected.get("outputs")));
        assertAllclose("h", new double[][][] {result.h()}, new float[][][] {matrix(expected.get("h"))});
        assertAllclose("c", new double[][][] {result.c()}, new float[][][] {matrix(expected.get("c"))});
    }

    /** API.md's tolerance, rtol 1e-5 and atol 1e-6, with the float32 Keras numbers as expected. */
    private static void assertAllclose(String what, double[][][] actual, float[][][] expected) {
        float[] e = flat(expected);
        int i = 0;
        for (double[][] matrix : actual) {
            for (double[] row : matrix) {
                for (double value : row) {
                    assertThat(Math.abs(value - e[i])).as("%s element %d", what, i)
                            .isLessThanOrEqualTo(1e-6 + 1e-5 * Math.abs(e[i]));
                    i++;
                }
            }
        }
        assertThat(i).as(what + " size").isEqualTo(e.length);
    }
}
