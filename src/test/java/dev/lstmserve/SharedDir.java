package dev.lstmserve;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/**
 * {@code ../shared}, read in place (never copied): the real-Keras references in {@code keras-reference/}. A checkout
 * without it skips the tests that need it, with a message; with {@code LSTM_REQUIRE_SHARED=true} in the environment
 * (set by {@code .ci/run}, like {@code LSTM_REQUIRE_DOCKER}) it fails them instead, so CI cannot pass without them.
 */
public final class SharedDir {

    /** Environment variable that turns a missing {@code ../shared} from a skip into a failure. */
    public static final String REQUIRE_ENV = "LSTM_REQUIRE_SHARED";

    private SharedDir() {
    }

    /** {@code ../shared}, as surefire passes it ({@code -Dlstm.shared.dir}). */
    public static Path path() {
        return Path.of(System.getProperty("lstm.shared.dir", "../shared"));
    }

    /**
     * Returns when {@code dir} (a folder of {@code ../shared}) exists; otherwise skips the calling test, or fails it
     * when {@value #REQUIRE_ENV} is {@code true}.
     *
     * @param skipped what is not run, for the message
     */
    public static void assumePresent(Path dir, String skipped) {
        assumePresent(dir, skipped, Boolean.parseBoolean(System.getenv(REQUIRE_ENV)));
    }

    static void assumePresent(Path dir, String skipped, boolean required) {
        if (Files.isDirectory(dir)) {
            return;
        }
        String absent = dir.toAbsolutePath().normalize() + " is absent (set -Dlstm.shared.dir)";
        if (required) {
            throw new AssertionError(REQUIRE_ENV + "=true but " + absent + ": " + skipped + " cannot run");
        }
        Assumptions.abort(absent + ": skipping " + skipped);
    }
}
