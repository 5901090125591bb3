package dev.lstmserve.model.keras;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import io.jhdf.HdfFile;
import io.jhdf.Superblock;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import io.jhdf.storage.HdfFileChannel;

/**
 * Writes HDF5 files for tests with jhdf 0.13.0's writer, working around what it cannot do the way h5py does:
 * <ul>
 * <li>Strings: jhdf writes every string attribute as fixed-length, NUL-terminated UTF-8 of (longest + 1) bytes.
 * h5py writes Keras' {@code model_config}, {@code keras_version} and {@code backend} as variable-length strings and
 * {@code layer_names} / {@code weight_names} as fixed-length NUL-padded ASCII (numpy {@code S} arrays); jhdf has no
 * variable-length string writer, so the fixed-length form is the closest layout it can write.</li>
 * <li>Empty arrays: Keras writes a layer without weights with {@code weight_names} = an empty float64 array; jhdf
 * cannot write a zero-length attribute ({@code ArrayIndexOutOfBoundsException} in {@code Utils.getArrayType}), so the
 * attribute is left out, which Keras' own {@code load_attributes_from_hdf5_group} also reads as an empty list.</li>
 * <li>A bug: on close jhdf writes its {@code jHDF - version} signature at the channel's current position, which is the
 * end of the last dataset's data, not the end of the file; any group header laid out after it (an empty group such as
 * a {@code vars} group without variables) is overwritten and the file is corrupt. The signature write is redirected
 * to the end of the file here.</li>
 * <li>jhdf adds a root attribute {@code _jHDF}, writes superblock v2/v3 and v2 object headers (h5py's default is
 * superblock v0 with symbol-table groups). Readers do not care; layout-wise the groups, datasets, names, shapes,
 * dtypes (float32) and attributes are Keras'.</li>
 * </ul>
 */
final class Hdf5TestFiles {

    private Hdf5TestFiles() {
    }

    static void write(Path path, Consumer<WritableGroup> content) {
        try {
            // jhdf opens with CREATE but not TRUNCATE_EXISTING: stale bytes would remain after a shorter file.
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (WritableHdfFile file = HdfFile.write(path)) {
            redirectSignatureToEndOfFile(file);
            content.accept(file);
        }
    }

    private static void redirectSignatureToEndOfFile(WritableHdfFile file) {
        try {
            FileChannel channel = (FileChannel) field(file, "fileChannel").get(file);
            Superblock superblock = (Superblock) field(file, "superblock").get(file);
            byte[] signature = "jHDF - ".getBytes(StandardCharsets.US_ASCII);
            HdfFileChannel fixed = new HdfFileChannel(channel, superblock) {
                @Override
                public int write(ByteBuffer buffer) {
                    if (startsWith(buffer, signature)) {
                        try {
                            channel.position(channel.size());
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                    return super.write(buffer);
                }
            };
            field(file, "hdfFileChannel").set(file, fixed);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("jhdf's WritableHdfFile changed; revisit this workaround", e);
        }
    }

    private static Field field(Object owner, String name) throws NoSuchFieldException {
        Field field = owner.getClass().getDeclaredField(name);
        field.setAccessible(true);
        return field;
    }

    private static boolean startsWith(ByteBuffer buffer, byte[] prefix) {
        if (buffer.remaining() < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (buffer.get(buffer.position() + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
