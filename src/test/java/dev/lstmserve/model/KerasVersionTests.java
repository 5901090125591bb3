package dev.lstmserve.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Defaults that changed between Keras versions follow the version that wrote the file: LSTM's recurrent_activation
 * was hard_sigmoid up to Keras 2.2.5 (keras-team/keras 2.2.5 keras/layers/recurrent.py) and Keras 1's
 * inner_activation; sigmoid from Keras 2.3.0 (its release notes: "the default recurrent_activation of LSTM is now
 * sigmoid") and in Keras 3.
 */
class KerasVersionTests {

    @ParameterizedTest(name = "Keras {0}: {1}")
    @CsvSource({
            "1.2.2, hard_sigmoid",
            "2.0.8, hard_sigmoid",
            "2.1.2, hard_sigmoid",
            "2.2.4, hard_sigmoid",
            "2.2.5, hard_sigmoid",
            "2.3.0, sigmoid",
            "2.3.0-tf, sigmoid",
            "2.15.0, sigmoid",
            "3.6.0, sigmoid",
    })
    void recurrentActivationDefaultFollowsTheVersion(String version, String expected) {
        assertThat(KerasVersion.parse(version).recurrentActivationDefault("lstm")).isEqualTo(expected);
    }

    @Test
    void tfKerasBefore23IsAmbiguousAndRefusedNamingTheField() {
        // TensorFlow 1.x and 2.0 both wrote 2.2.4-tf, with hard_sigmoid and sigmoid defaults respectively.
        assertThatThrownBy(() -> KerasVersion.parse("2.2.4-tf").recurrentActivationDefault("lstm_1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lstm_1.recurrent_activation is missing")
                .hasMessageContaining("2.2.4-tf");
    }

    @Test
    void anUnrecordedVersionMeansKeras3AndKeepsNoText() {
        KerasVersion version = KerasVersion.parse(null);
        assertThat(version.major()).isEqualTo(3);
        assertThat(version.text()).isNull();
        assertThat(version.recurrentActivationDefault("lstm")).isEqualTo("sigmoid");
    }

    @Test
    void theTextIsKeptAsWritten() {
        KerasVersion version = KerasVersion.parse("2.3.0-tf");
        assertThat(version.text()).isEqualTo("2.3.0-tf");
        assertThat(version.major()).isEqualTo(2);
        assertThat(version.minor()).isEqualTo(3);
        assertThat(version.tfKeras()).isTrue();
        assertThatThrownBy(() -> KerasVersion.parse("latest")).hasMessageContaining("does not start with a number");
    }

    @Test
    void bidirectionalZeroesMaskedStepsInTfKerasAndKeras3Only() {
        // force_zero_output_for_mask: tf.keras (2.x.y-tf, 2.4+) and Keras 3; not multi-backend Keras <= 2.3.1 or Keras 1.
        for (String zeroes : new String[] {"2.2.4-tf", "2.3.0-tf", "2.4.0", "2.15.0", "3.0.0", "3.6.0"}) {
            assertThat(KerasVersion.parse(zeroes).bidirectionalZeroesMaskedSteps()).as(zeroes).isTrue();
        }
        for (String repeats : new String[] {"1.2.2", "2.0.8", "2.2.4", "2.2.5", "2.3.1"}) {
            assertThat(KerasVersion.parse(repeats).bidirectionalZeroesMaskedSteps()).as(repeats).isFalse();
        }
        assertThat(KerasVersion.UNKNOWN.bidirectionalZeroesMaskedSteps()).isFalse();
        assertThat(KerasVersion.parse(null).bidirectionalZeroesMaskedSteps()).isTrue();
    }
}
