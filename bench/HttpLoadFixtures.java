import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes what bench/http-load.sh sends: an lstm-serve JSON model of the S2 size (E = 128, H = 256; issue 7's table)
 * with seeded Keras-like random weights, and request bodies for it. Plain Java, no dependencies:
 *
 * <pre>java bench/HttpLoadFixtures.java target/http-load</pre>
 *
 * Weights: kernel and recurrent_kernel uniform in ±sqrt(6 / (fan_in + fan_out)) (Keras' glorot_uniform), bias zeros
 * with the forget block 1.0 (unit_forget_bias). Inputs uniform in [-1, 1]. Fixed seeds, so every run sends the same
 * bytes.
 */
public class HttpLoadFixtures {

    static final int E = 128;
    static final int H = 256;

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/http-load");
        Files.createDirectories(dir);
        Random random = new Random(20261130);
        try (Writer out = Files.newBufferedWriter(dir.resolve("s2-model.json"))) {
            out.write("{\"format\": \"lstm-serve-model\", \"version\": 1, \"name\": \"s2-random\",\n");
            out.write(" \"description\": \"issue 7's S2 size (E=128, H=256), seeded glorot_uniform weights\",\n");
            out.write(" \"generated_by\": \"bench/HttpLoadFixtures.java\",\n");
            out.write(" \"lstm\": {\"units\": " + H + ", \"activation\": \"tanh\", \"recurrent_activation\": \"sigmoid\","
                    + " \"use_bias\": true, \"go_backwards\": false,\n");
            out.write("  \"kernel\": ");
            matrix(out, random, E, 4 * H, Math.sqrt(6.0 / (E + 4 * H)));
            out.write(",\n  \"recurrent_kernel\": ");
            matrix(out, random, H, 4 * H, Math.sqrt(6.0 / (H + 4 * H)));
            out.write(",\n  \"bias\": [");
            for (int j = 0; j < 4 * H; j++) {
                out.write((j == 0 ? "" : ", ") + (j >= H && j < 2 * H ? "1.0" : "0.0"));
            }
            out.write("]}}\n");
        }
        inputs(dir.resolve("s2-request.json"), new Random(8), 8, 32);
        inputs(dir.resolve("b1-request.json"), new Random(1), 1, 32);
        Files.writeString(dir.resolve("seed-request.json"), "{\"tokens\": [[7, 8, 0, 5], [6, 1, 3, 8], [2, 4, 5, 1]],"
                + " \"initial_state\": {\"h\": [[-0.7565803, -0.06854702]], \"c\": [[0.9029392, -0.12441138]]}}\n");
    }

    /** {@code {"inputs": [B][T][E]}}, uniform in [-1, 1]. */
    static void inputs(Path file, Random random, int batch, int steps) throws IOException {
        try (Writer out = Files.newBufferedWriter(file)) {
            out.write("{\"inputs\": [");
            for (int b = 0; b < batch; b++) {
                out.write(b == 0 ? "" : ", ");
                matrix(out, random, steps, E, 1.0);
            }
            out.write("]}\n");
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
