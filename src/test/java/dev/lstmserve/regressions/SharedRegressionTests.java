package dev.lstmserve.regressions;

import java.nio.file.Path;

import dev.lstmserve.SeedToyJson;
import dev.lstmserve.SharedDir;
import dev.lstmserve.core.NonFiniteOutputException;
import dev.lstmserve.inference.ForwardQuery;
import dev.lstmserve.inference.ForwardResult;
import dev.lstmserve.inference.LstmInference;
import dev.lstmserve.model.ModelLoader;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static dev.lstmserve.SeedToyJson.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The inputs in {@code ../shared/regressions} that failed when the service was tried against public bug reports, each
 * with the right value (read in place; README there). Each fault's whole kind is fixed elsewhere and tested there too
 * ({@code KerasVersionTests}, {@code NonFiniteOutputTests}); these keep the original inputs.
 */
class SharedRegressionTests {

    private static Path regression(String name) {
        Path dir = SharedDir.path().resolve("regressions");
        SharedDir.assumePresent(dir, "the shared regression inputs");
        return dir.resolve(name);
    }

    private static ForwardResult forward(Path dir) {
        LstmInference inference = new LstmInference(ModelLoader.load(dir.resolve("model.json")));
        JsonNode request = JSON.readTree(dir.resolve("request.json").toFile());
        double[][][] inputs = JSON.convertValue(request.get("inputs"), double[][][].class);
        return inference.forward(new ForwardQuery(null, null, inputs, null, null, false, true, true));
    }

    /** Keras up to 2.2.x defaulted recurrent_activation to hard_sigmoid; a 2.2.4 model without it must use that. */
    @Test
    void recurrentActivationDefaultFollowsTheKerasVersionThatWroteTheModel() {
        Path dir = regression("recurrent-activation-default");
        JsonNode expected = JSON.readTree(dir.resolve("expected.json").toFile());

        ForwardResult result = forward(dir);

        SeedToyJson.assertAllClose("outputs", JSON.valueToTree(result.outputs()), expected.get("outputs"));
        SeedToyJson.assertAllClose("h", JSON.valueToTree(result.h()), expected.get("h"));
        SeedToyJson.assertAllClose("c", JSON.valueToTree(result.c()), expected.get("c"));
    }

    /**
     * A relu LSTM whose state grows ~3x per step overflows float32 (Keras' too): no "Infinity" in a numeric array, but
     * an error naming the row, step and layer where the values first left float32.
     */
    @Test
    void outputsThatLeaveFloat32AreRefusedNamingRowStepAndLayer() {
        Path dir = regression("non-finite-outputs");

        NonFiniteOutputException e = catchThrowableOfType(NonFiniteOutputException.class, () -> forward(dir));

        assertThat(e).as("the overflow is reported, not returned").isNotNull();
        assertThat(e.layer()).isEqualTo("lstm");
        assertThat(e.row()).isZero();
        assertThat(e.step()).isEqualTo(84);
        assertThat(e.getMessage()).contains("row 0, step 84", "'lstm'");
    }
}
