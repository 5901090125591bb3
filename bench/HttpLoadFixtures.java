import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes what bench/http-load.sh sends: lstm-serve JSON models of the S2 size (E = 128, H = 256; issue 7's table) and
 * of E = 128, H = 512, with seeded Keras-like random weights, and request bodies for them. Plain Java, no dependencies:
 *
 * <pre>java bench/HttpLoadFixtures.java target/http-load</pre>
 *
 * Weights: kernel and recurrent_kernel uniform in ±sqrt(6 / (fan_in + fan_out)) (Keras' glorot_uniform), bias zeros
 * with the forget block 1.0 (unit_forget_bias). Inputs uniform in [-1, 1]. Fixed seeds, so every run sends the same
 * bytes.
 */
public class HttpLoadFixtures {

    static final int E = 128;

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/http-load");
        Files.createDirectories(dir);
        model(dir.resolve("s2-model.json"), "s2-random", "issue 7's S2 size (E=128, H=256)", 256,
                new Random(20261130));
        // A larger layer on the same inputs, whose forward costs more than its request's JSON (dynamic batching).
        model(dir.resolve("h512-model.json"), "h512-random", "E=128, H=512", 512, new Random(20261201));
        inputs(dir.resolve("s2-request.json"), new Random(8), 8, 32, "");
        inputs(dir.resolve("b1-request.json"), new Random(1), 1, 32, "");
        // The same window, asking for the last output and the state only (a client that classifies or carries state).
        inputs(dir.resolve("b1-last-request.json"), new Random(1), 1, 32, ", \"return_sequences\": false");
        Files.writeString(dir.resolve("seed-request.json"), "{\"tokens\": [[7, 8, 0, 5], [6, 1, 3, 8], [2, 4, 5, 1]],"
                + " \"initial_state\": {\"h\": [[-0.7565803, -0.06854702]], \"c\": [[0.9029392, -0.12441138]]}}\n");
    }

    /** An lstm-serve JSON model of one LSTM layer (input size {@link #E}, {@code units} H). */
    static void model(Path file, String name, String size, int units, Random random) throws IOException {
        try (Writer out = Files.newBufferedWriter(file)) {
            out.write("{\"format\": \"lstm-serve-model\", \"version\": 1, \"name\": \"" + name + "\",\n");
            out.write(" \"description\": \"" + size + ", seeded glorot_uniform weights\",\n");
            out.write(" \"generated_by\": \"bench/HttpLoadFixtures.java\",\n");
            out.write(" \"lstm\": {\"units\": " + units + ", \"activation\": \"tanh\", \"recurrent_activation\": \"sigmoid\","
                    + " \"use_bias\": true, \"go_backwards\": false,\n");
            out.write("  \"kernel\": ");
            matrix(out, random, E, 4 * units, Math.sqrt(6.0 / (E + 4 * units)));
            out.write(",\n  \"recurrent_kernel\": ");
            matrix(out, random, units, 4 * units, Math.sqrt(6.0 / (units + 4 * units)));
            out.write(",\n  \"bias\": [");
            for (int j = 0; j < 4 * units; j++) {
                out.write((j == 0 ? "" : ", ") + (j >= units && j < 2 * units ? "1.0" : "0.0"));
            }
            out.write("]}}\n");
        }
    }

    /** {@code {"inputs": [B][T][E]}}, uniform in [-1, 1], then {@code more} (further fields, or ""). */
    static void inputs(Path file, Random random, int batch, int steps, String more) throws IOException {
        try (Writer out = Files.newBufferedWriter(file)) {
            out.write("{\"inputs\": [");
            for (int b = 0; b < batch; b++) {
                out.write(b == 0 ? "" : ", ");
                matrix(out, random, steps, E, 1.0);
            }
            out.write("]" + more + "}\n");
        }
    }

    static void matrix(Writer out, Random random, int rows, int columns, double limit) throws IOException {
        out.write('[');
        for (int i = 0; i < rows; i++) {
            out.write(i == 0 ? "[" : ", [");
            for (int j = 0; j < columns; j++) {
                out.write((j == 0 ? "" : ", ") + (float) ((random.nextDouble() * 2 - 1) * limit));
            }
            out.write(']');
        }
        out.write(']');
    }
}
