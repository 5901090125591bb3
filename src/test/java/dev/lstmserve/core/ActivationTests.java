package dev.lstmserve.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each activation against its Keras definition (keras/src/activations/activations.py, Keras 3; Keras 2's
 * hard_sigmoid from tf.keras 2.x keras/activations.py). The expected values are those definitions evaluated in
 * double precision (printed with Python's math module) at a few points, and must come out as the float32 nearest
 * to them, within one float32 ulp.
 */
class ActivationTests {

    @ParameterizedTest(name = "{0}({1}) = {2}")
    @CsvSource({
            // tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x))
            "TANH, 0, 0",
            "TANH, 0.5, 0.46211715726000974",
            "TANH, -2, -0.9640275800758169",
            "TANH, 10, 0.9999999958776927",
            // sigmoid(x) = 1 / (1 + exp(-x))
            "SIGMOID, 0, 0.5",
            "SIGMOID, 2, 0.8807970779778823",
            "SIGMOID, -3, 0.04742587317756678",
            "SIGMOID, -20, 2.0611536181902037e-09",
            // Keras 2 / tf.keras 2.x: 0 if x < -2.5, 1 if x > 2.5, else 0.2x + 0.5
            "HARD_SIGMOID_KERAS2, -3, 0",
            "HARD_SIGMOID_KERAS2, -2.5, 0",
            "HARD_SIGMOID_KERAS2, -1, 0.3",
            "HARD_SIGMOID_KERAS2, 0, 0.5",
            "HARD_SIGMOID_KERAS2, 1, 0.7",
            "HARD_SIGMOID_KERAS2, 2.4, 0.98",
            "HARD_SIGMOID_KERAS2, 2.6, 1",
            // Keras 3: 0 if x <= -3, 1 if x >= 3, else x/6 + 0.5
            "HARD_SIGMOID_KERAS3, -3, 0",
            "HARD_SIGMOID_KERAS3, -1.5, 0.25",
            "HARD_SIGMOID_KERAS3, 0, 0.5",
            "HARD_SIGMOID_KERAS3, 1, 0.6666666666666667",
            "HARD_SIGMOID_KERAS3, 2.6, 0.9333333333333333",
            "HARD_SIGMOID_KERAS3, 3, 1",
            "HARD_SIGMOID_KERAS3, 4, 1",
            // relu: max(x, 0)
            "RELU, -2, 0",
            "RELU, 0, 0",
            "RELU, 1.5, 1.5",
            // linear: x
            "LINEAR, -7.25, -7.25",
            "LINEAR, 3.5, 3.5",
            // softsign(x) = x / (abs(x) + 1)
            "SOFTSIGN, 3, 0.75",
            "SOFTSIGN, -1, -0.5",
            "SOFTSIGN, 0, 0",
            // elu (alpha = 1): x if x > 0, exp(x) - 1 otherwise
            "ELU, 2, 2",
            "ELU, -1, -0.6321205588285577",
            "ELU, -10, -0.9999546000702375",
            // selu: scale·x if x > 0, scale·alpha·(exp(x) - 1) otherwise; alpha = 1.67326324…, scale = 1.05070098…
            "SELU, 1, 1.0507009873554805",
            "SELU, 2, 2.101401974710961",
            "SELU, -1, -1.1113307378125625",
            "SELU, -3, -1.6705687287671118",
            // softplus(x) = log(exp(x) + 1)
            "SOFTPLUS, 0, 0.6931471805599453",
            "SOFTPLUS, 1, 1.3132616875182228",
            "SOFTPLUS, -1, 0.31326168751822286",
            "SOFTPLUS, -20, 2.061153620314381e-09",
            "SOFTPLUS, 1000, 1000",
            // swish(x) = silu(x) = x · sigmoid(x)
            "SWISH, 1, 0.7310585786300049",
            "SWISH, -1, -0.2689414213699951",
            "SWISH, -5, -0.03346425462142428",
            "SWISH, 20, 19.999999958776925",
            "SWISH, 0, 0",
            // Keras 3's other element-wise activations (keras/src/activations/activations.py), with their default
            // arguments (leaky_relu negative_slope 0.2, celu alpha 1, hard/soft_shrink threshold 0.5, squareplus b 4,
            // gelu approximate=False: 0.5·x·(1 + erf(x/√2))), evaluated with Python's math module.
            "SWISH, -2, -0.2384058440442351",
            "SWISH, 0.5, 0.3112296656009273",
            "SWISH, 3, 2.8577223804673",
            "SILU, -2, -0.2384058440442351",
            "SILU, 0.5, 0.3112296656009273",
            "EXPONENTIAL, -1, 0.36787944117144233",
            "EXPONENTIAL, 0, 1.0",
            "EXPONENTIAL, 2.5, 12.182493960703473",
            "RELU6, -1, 0.0",
            "RELU6, 3, 3.0",
            "RELU6, 7, 6.0",
            "LEAKY_RELU, -2, -0.4",
            "LEAKY_RELU, 0, 0.0",
            "LEAKY_RELU, 1.5, 1.5",
            "GELU, -1.5, -0.10021080190328713",
            "GELU, 0, 0.0",
            "GELU, 0.75, 0.5800294857173488",
            "GELU, 3, 2.99595030590511",
            "CELU, -1, -0.6321205588285577",
            "CELU, 2, 2.0",
            "MISH, -1, -0.30340146137410895",
            "MISH, 0.5, 0.3752452113048951",
            "MISH, 3, 2.9865350049679575",
            "LOG_SIGMOID, -3, -3.048587351573742",
            "LOG_SIGMOID, 0, -0.6931471805599453",
            "LOG_SIGMOID, 2, -0.12692801104297263",
            "HARD_SILU, -4, 0.0",
            "HARD_SILU, -1, -0.3333333333333333",
            "HARD_SILU, 2, 1.6666666666666667",
            "HARD_SILU, 4, 4.0",
            "HARD_SWISH, -1, -0.3333333333333333",
            "HARD_SWISH, 2, 1.6666666666666667",
            "HARD_TANH, -2, -1.0",
            "HARD_TANH, 0.3, 0.3",
            "HARD_TANH, 1.5, 1.0",
            "TANH_SHRINK, -1, -0.23840584404423515",
            "TANH_SHRINK, 0.5, 0.03788284273999026",
            "HARD_SHRINK, -0.7, -0.7",
            "HARD_SHRINK, 0.5, 0.0",
            "HARD_SHRINK, 0.2, 0.0",
            "HARD_SHRINK, 0.9, 0.9",
            "SOFT_SHRINK, -0.7, -0.19999999999999996",
            "SOFT_SHRINK, 0.2, 0.0",
            "SOFT_SHRINK, 0.9, 0.4",
            "SPARSE_PLUS, -2, 0.0",
            "SPARSE_PLUS, -0.5, 0.0625",
            "SPARSE_PLUS, 0.5, 0.5625",
            "SPARSE_PLUS, 2, 2.0",
            "SPARSE_SIGMOID, -2, 0.0",
            "SPARSE_SIGMOID, -0.5, 0.25",
            "SPARSE_SIGMOID, 0.5, 0.75",
            "SPARSE_SIGMOID, 2, 1.0",
            "SQUAREPLUS, -2, 0.41421356237309515",
            "SQUAREPLUS, 0, 1.0",
            "SQUAREPLUS, 1.5, 2.0",
    })
    void followsTheKerasDefinition(Activation activation, float x, double keras) {
        float expected = (float) keras;
        assertThat(activation.apply(x)).isCloseTo(expected, within(Math.ulp(expected)));
    }

    @Test
    void hardSigmoidFormsDifferWhereKeras2Clips() {
        // 0.2·2.6 + 0.5 = 1.02 clips to 1; 2.6/6 + 0.5 = 0.933: a model read with the wrong form drifts visibly.
        assertThat(Activation.HARD_SIGMOID_KERAS2.apply(2.6f)).isEqualTo(1f);
        assertThat(Activation.HARD_SIGMOID_KERAS3.apply(2.6f)).isLessThan(0.94f);
    }

    @Test
    void softplusDoesNotOverflowForLargeInputs() {
        assertThat(Activation.SOFTPLUS.apply(Float.MAX_VALUE)).isEqualTo(Float.MAX_VALUE);
        assertThat(Activation.SIGMOID.apply(-1000f)).isEqualTo(0f);
        assertThat(Activation.SWISH.apply(-1000f)).isCloseTo(0f, within(1e-30f));
        assertThat(Activation.TANH.apply(-1000f)).isEqualTo(-1f);
    }

    @ParameterizedTest(name = "{0} from Keras {1} is {2}")
    @CsvSource({
            "hard_sigmoid, 2, HARD_SIGMOID_KERAS2",
            "hard_sigmoid, 1, HARD_SIGMOID_KERAS2",
            "hard_sigmoid, 3, HARD_SIGMOID_KERAS3",
            "tanh, 2, TANH",
            "tanh, 3, TANH",
            "sigmoid, 2, SIGMOID",
            "relu, 3, RELU",
            "linear, 3, LINEAR",
            "softsign, 3, SOFTSIGN",
            "elu, 3, ELU",
            "selu, 3, SELU",
            "softplus, 3, SOFTPLUS",
            "swish, 3, SWISH",
            "' Tanh ', 3, TANH",
            "HARD_SIGMOID, 2, HARD_SIGMOID_KERAS2",
            "silu, 3, SILU",
            "hard_swish, 3, HARD_SWISH",
            "gelu, 2, GELU",
            "softmax, 3, SOFTMAX",
    })
    void byKerasNameFollowsTheKerasVersion(String name, int kerasMajor, Activation expected) {
        assertThat(Activation.byKerasName(name, kerasMajor)).isEqualTo(expected);
    }

    @Test
    void bothHardSigmoidFormsKeepTheKerasName() {
        assertThat(Activation.HARD_SIGMOID_KERAS2.kerasName()).isEqualTo("hard_sigmoid");
        assertThat(Activation.HARD_SIGMOID_KERAS3.kerasName()).isEqualTo("hard_sigmoid");
    }

    @Test
    void anUnknownNameIsRefusedWithTheSupportedOnes() {
        assertThatThrownBy(() -> Activation.byKerasName("rrelu", 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("activation 'rrelu' is not supported; supported: tanh, sigmoid, hard_sigmoid,"
                        + " relu, linear, softsign, elu, selu, softplus, swish, silu, exponential, relu6, leaky_relu,"
                        + " gelu");
        assertThatThrownBy(() -> Activation.byKerasName("threshold", 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs threshold and default_value arguments");
        assertThatThrownBy(() -> Activation.byKerasName(null, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("activation 'null' is not supported");
    }

    @Test
    void softmaxAndLogSoftmaxWorkOnTheLastAxisLikeKeras() {
        // softmax([1, 2, 3]) and log_softmax([1, 2, 3]) with Python's math: exp(x_i) / sum(exp(x)), x_i - log(sum(exp(x))).
        float[] row = {9f, 1f, 2f, 3f};
        Activation.SOFTMAX.applyToRow(row, 1, 4);
        assertThat(row[0]).isEqualTo(9f);
        assertThat(row[1]).isCloseTo(0.09003057317038046f, within(1e-8f));
        assertThat(row[2]).isCloseTo(0.24472847105479767f, within(1e-8f));
        assertThat(row[3]).isCloseTo(0.6652409557748219f, within(1e-7f));
        float[] log = {1f, 2f, 3f};
        Activation.LOG_SOFTMAX.applyToRow(log, 0, 3);
        assertThat(log[0]).isCloseTo(-2.4076059644443806f, within(1e-6f));
        assertThat(log[2]).isCloseTo(-0.4076059644443803f, within(1e-6f));
        // A large logit does not overflow: the maximum is subtracted first, as Keras does.
        float[] large = {1000f, 0f};
        Activation.SOFTMAX.applyToRow(large, 0, 2);
        assertThat(large).containsExactly(1f, 0f);
        assertThat(Activation.SOFTMAX.isElementWise()).isFalse();
        assertThatThrownBy(() -> Activation.SOFTMAX.apply(1f)).isInstanceOf(UnsupportedOperationException.class);
    }
}
