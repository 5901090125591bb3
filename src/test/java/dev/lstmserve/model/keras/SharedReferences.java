package dev.lstmserve.model.keras;

import java.nio.file.Path;

import dev.lstmserve.SharedDir;

/** {@code ../shared/keras-reference}, read in place; absent, it skips these tests (or fails them in CI, see SharedDir). */
final class SharedReferences {

    private SharedReferences() {
    }

    /** A file under keras-reference; skips (or fails under LSTM_REQUIRE_SHARED=true) when the folder is absent. */
    static Path file(String relative) {
        Path dir = SharedDir.path().resolve("keras-reference");
        SharedDir.assumePresent(dir, "the tests that read " + relative);
        return dir.resolve(relative);
    }
}
