package dev.lstmserve.model.keras;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.WritableGroup;

/** The test writer's workaround for jhdf 0.13's signature bug: empty groups after datasets survive. */
class Hdf5TestFilesTests {

    @Test
    void emptyGroupsWrittenAfterDatasetsStayReadable(@TempDir Path dir) {
        Path file = dir.resolve("empty-groups.h5");
        Hdf5TestFiles.write(file, root -> {
            WritableGroup a = root.putGroup("a");
            a.putDataset("d", new float[] {1f, 2f});
            a.putGroup("empty");
            root.putGroup("b").putAttribute("name", "b");
        });
        try (HdfFile hdf = new HdfFile(file)) {
            assertThat(((Dataset) hdf.getByPath("a/d")).getDataFlat()).isEqualTo(new float[] {1f, 2f});
            assertThat(((Group) hdf.getByPath("a/empty")).getChildren()).isEmpty();
            assertThat(hdf.getByPath("b").getAttribute("name").getData()).isEqualTo("b");
        }
    }
}
