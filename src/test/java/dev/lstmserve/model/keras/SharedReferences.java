package dev.lstmserve.model.keras;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/**
 * {@code ../shared/keras-reference}, read in place (system property {@code lstm.shared.dir}, set by surefire). A
 * checkout without it skips these tests with a message, unless {@code LSTM_REQUIRE_SHARED=true} (CI), which makes its
 * absence a failure.
 */
final class SharedReferences {

    private SharedReferences() {
    }

    /** A file under keras-reference; skips (or fails under LSTM_REQUIRE_SHARED=true) when it is absent. */
    static Path file(String relative) {
        Path dir = Path.of(System.getProperty("lstm.shared.dir", "../shared")).resolve("keras-reference");
        Path file = dir.resolve(relative);
        if (!Files.isRegularFile(file)) {
            String message = file + " is absent (../shared/keras-reference not checked out)";
            if ("true".equalsIgnoreCase(System.getenv("LSTM_REQUIRE_SHARED"))) {
                throw new AssertionError(message + " and LSTM_REQUIRE_SHARED=true");
            }
            Assumptions.abort("skipped: " + message);
        }
        return file;
    }
}
