package dev.lstmserve;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/** A missing {@code ../shared} skips the tests that need it, unless LSTM_REQUIRE_SHARED=true (CI) fails them. */
class SharedDirTests {

    @TempDir
    private Path dir;

    @Test
    void aMissingFolderSkipsWithTheReason() {
        Path missing = dir.resolve("keras-reference");

        assertThatThrownBy(() -> SharedDir.assumePresent(missing, "the real-Keras reference tests", false))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("the real-Keras reference tests");
    }

    @Test
    void aMissingFolderFailsWhenRequired() {
        Path missing = dir.resolve("keras-reference");

        assertThatThrownBy(() -> SharedDir.assumePresent(missing, "the real-Keras reference tests", true))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("LSTM_REQUIRE_SHARED=true").hasMessageContaining(missing.toString());
    }

    @Test
    void aPresentFolderRuns() {
        assertThatCode(() -> SharedDir.assumePresent(dir, "anything", true)).doesNotThrowAnyException();
    }
}
