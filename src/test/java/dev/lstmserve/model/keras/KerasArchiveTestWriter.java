package dev.lstmserve.model.keras;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import io.jhdf.api.WritableGroup;

/**
 * Writes a Keras 3 {@code .keras} archive as {@code keras/src/saving/saving_lib.py} {@code _save_model_to_fileobj}
 * does: a zip ({@code zipfile.ZipFile(f, "w")}, entries stored uncompressed) of {@code metadata.json},
 * {@code config.json} and {@code model.weights.h5}. The weights file is written with {@link Hdf5TestFiles}: a
 * {@code vars} group per saved object (with a {@code name} attribute, as Keras ≥ 3.6 writes), datasets
 * {@code 0, 1, ...} inside. Not a file Keras wrote: the layout follows Keras' saving code.
 */
final class KerasArchiveTestWriter {

    /** One saved object: its group path ({@code layers/lstm/cell}), {@code name} attribute (or null), variables. */
    record Saved(String path, String name, List<Object> vars) {
    }

    private KerasArchiveTestWriter() {
    }

    static Path write(Path file, String kerasVersion, String configJson, List<Saved> saved) {
        try {
            Path weights = Files.createTempFile(file.getParent(), "weights", ".h5");
            Hdf5TestFiles.write(weights, root -> {
                for (Saved s : saved) {
                    WritableGroup group = root;
                    if (!s.path().isEmpty()) {
                        for (String part : s.path().split("/")) {
                            group = group.getChild(part) instanceof WritableGroup g ? g : group.putGroup(part);
                        }
                    }
                    WritableGroup vars = group.putGroup("vars");
                    if (s.name() != null) {
                        vars.putAttribute("name", s.name());
                    }
                    for (int i = 0; i < s.vars().size(); i++) {
                        vars.putDataset(Integer.toString(i), s.vars().get(i));
                    }
                }
            });
            String metadata = "{\"keras_version\": \"" + kerasVersion + "\", \"date_saved\": \"2026-11-30@12:00:00\"}";
            try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
                stored(zip, "metadata.json", metadata.getBytes(StandardCharsets.UTF_8));
                stored(zip, "config.json", configJson.getBytes(StandardCharsets.UTF_8));
                stored(zip, "model.weights.h5", Files.readAllBytes(weights));
            }
            Files.delete(weights);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void stored(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        entry.setSize(bytes.length);
        entry.setCompressedSize(bytes.length);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(bytes);
        zip.closeEntry();
    }

    static Map<String, Object> none() {
        return Map.of();
    }
}
