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
        assertThatThrownBy(() -> Activation.byKerasName("gelu", 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("activation 'gelu' is not supported; supported: tanh, sigmoid, hard_sigmoid, relu, linear,"
                        + " softsign, elu, selu, softplus, swish");
        assertThatThrownBy(() -> Activation.byKerasName(null, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("activation 'null' is not supported");
    }
}
