package dev.lstmserve.core;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.lstmserve.SharedDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the Keras-written references ({@code ../shared/keras-reference}) and the oracle fixtures
 * ({@code src/test/resources/oracle}) into the nested float32 arrays the engine takes, and compares like numpy.
 */
final class Fixtures {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private Fixtures() {
    }

    /** {@code ../shared} ({@link SharedDir}: a checkout without it skips, CI fails). */
    static Path sharedDir() {
        return SharedDir.path();
    }

    static JsonNode read(Path file) {
        return JSON.readTree(file);
    }

    static JsonNode classpath(String resource) {
        try (var in = Fixtures.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + resource + " is missing");
            }
            return JSON.readTree(in);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The JSON files in {@code dir}, sorted by name. */
    static List<Path> jsonFiles(Path dir) {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot list " + dir, e);
        }
    }

    static float[] vector(JsonNode node) {
        float[] out = new float[node.size()];
        for (int i = 0; i < out.length; i++) {
            // The fixtures hold 6-decimal or shortest-float32 decimals: either parses to the same float32 via double.
            out[i] = (float) node.get(i).doubleValue();
        }
        return out;
    }

    static float[][] matrix(JsonNode node) {
        float[][] out = new float[node.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = vector(node.get(i));
        }
        return out;
    }

    static float[][][] tensor3(JsonNode node) {
        float[][][] out = new float[node.size()][][];
        for (int i = 0; i < out.length; i++) {
            out[i] = matrix(node.get(i));
        }
        return out;
    }

    static int[][] intMatrix(JsonNode node) {
        int[][] out = new int[node.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = new int[node.get(i).size()];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = node.get(i).get(j).intValue();
            }
        }
        return out;
    }

    /** {@code null} for a JSON null or an absent field. */
    static float[] vectorOrNull(JsonNode node) {
        return node == null || node.isNull() ? null : vector(node);
    }

    static float[] flat(float[][][] values) {
        List<float[]> rows = new ArrayList<>();
        for (float[][] matrix : values) {
            rows.addAll(List.of(matrix));
        }
        return flat(rows.toArray(float[][]::new));
    }

    static float[] flat(float[][] values) {
        int size = 0;
        for (float[] row : values) {
            size += row.length;
        }
        float[] out = new float[size];
        int at = 0;
        for (float[] row : values) {
            System.arraycopy(row, 0, out, at, row.length);
            at += row.length;
        }
        return out;
    }

    /** The largest {@code |actual - expected|}, after checking that both have the same number of values. */
    static double maxAbsError(float[] actual, float[] expected) {
        if (actual.length != expected.length) {
            throw new AssertionError("got " + actual.length + " values; Keras has " + expected.length);
        }
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            double error = Math.abs((double) actual[i] - expected[i]);
            max = Double.isNaN(error) ? Double.POSITIVE_INFINITY : Math.max(max, error);
        }
        return max;
    }

    /**
     * numpy's {@code allclose(actual, expected, rtol, atol)}: {@code |a - e| ≤ atol + rtol·|e|} for every value.
     *
     * @return the max abs error, for the report
     */
    static double assertAllclose(String what, float[] actual, float[] expected, double rtol, double atol) {
        if (actual.length != expected.length) {
            throw new AssertionError(what + ": got " + actual.length + " values; Keras has " + expected.length);
        }
        for (int i = 0; i < actual.length; i++) {
            double error = Math.abs((double) actual[i] - expected[i]);
            if (!(error <= atol + rtol * Math.abs((double) expected[i]))) {
                throw new AssertionError(what + ": value " + i + " is " + actual[i] + "; Keras: " + expected[i]
                        + " (|error| " + error + " > atol " + atol + " + rtol " + rtol + "·|Keras|)");
            }
        }
        return maxAbsError(actual, expected);
    }
}
