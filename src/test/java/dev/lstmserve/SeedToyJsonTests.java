package dev.lstmserve;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The comparison every Keras-reference test uses holds the contract's tolerance (API.md: rtol 1e-5, atol 1e-6), so
 * loosening it makes these fail rather than every reference test pass more easily.
 */
class SeedToyJsonTests {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @Test
    void theToleranceIsTheContracts() {
        assertThat(SeedToyJson.RTOL).isEqualTo(1e-5);
        assertThat(SeedToyJson.ATOL).isEqualTo(1e-6);
    }

    @Test
    void anErrorJustOverTheContractIsRejectedNearZeroAndNearOne() {
        assertThatThrownBy(() -> SeedToyJson.assertAllClose("outputs", array(2e-6), array(0.0)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("outputs[0]");
        assertThatThrownBy(() -> SeedToyJson.assertAllClose("outputs", array(1.0 + 1.2e-5), array(1.0)))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void anErrorWithinTheContractPasses() {
        assertThatCode(() -> SeedToyJson.assertAllClose("outputs", array(0.9e-6), array(0.0))).doesNotThrowAnyException();
        assertThatCode(() -> SeedToyJson.assertAllClose("outputs", array(1.0 + 1.05e-5), array(1.0)))
                .doesNotThrowAnyException();
    }

    private static JsonNode array(double value) {
        return NODES.arrayNode().add(value);
    }
}
