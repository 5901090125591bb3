package dev.lstmserve.config;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import dev.lstmserve.inference.ForwardQuery;
import dev.lstmserve.inference.LstmInference;
import dev.lstmserve.model.LstmModel;
import dev.lstmserve.model.LstmServeJsonWriter;
import dev.lstmserve.model.ModelLoadException;
import dev.lstmserve.model.ModelLoader;
import dev.lstmserve.parity.ParityCase;
import dev.lstmserve.parity.ParityChecker;
import dev.lstmserve.parity.ParityReport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --lstm.export=model.json}: writes the served model (any format the service reads) as lstm-serve JSON
 * version 2, reads the file back, and checks it: its parity samples pass, and a batch of deterministic inputs gives
 * exactly the same bits through the written model as through the original. The service then exits instead of serving.
 */
public final class ModelExport {

    private static final Logger log = LoggerFactory.getLogger(ModelExport.class);

    private ModelExport() {
    }

    /** Whether {@code lstm.export} is set on the command line, as a system property or as env {@code LSTM_EXPORT}. */
    public static boolean requested(String[] args) {
        boolean inArgs = Arrays.stream(args).anyMatch(arg -> arg.startsWith("--lstm.export=")
                && arg.length() > "--lstm.export=".length());
        String env = System.getenv("LSTM_EXPORT");
        String property = System.getProperty("lstm.export");
        return inArgs || (env != null && !env.isBlank()) || (property != null && !property.isBlank());
    }

    /**
     * @throws ModelLoadException when the file cannot be written or does not check back
     */
    static void export(LstmModel model, Path target, LstmProperties.Parity tolerances) {
        Path written;
        try {
            Path dir = target.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            written = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
            try (OutputStream out = Files.newOutputStream(written)) {
                LstmServeJsonWriter.write(model, out);
            }
        } catch (IOException e) {
            throw new ModelLoadException(target.toString(), "cannot be written: " + e.getMessage(), e);
        }
        try {
            check(model, ModelLoader.load(written), target, tolerances);
            Files.move(written, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ModelLoadException(target.toString(), "cannot be written: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(written);
            } catch (IOException e) {
                log.warn("Could not delete {}: {}", written, e.getMessage());
            }
        }
        log.info("Exported model '{}' from {} to {} (lstm-serve JSON version 2, {} layers, {} parity samples);"
                + " checked back: parity passes and outputs are bit-identical", model.name(), model.source(), target,
                model.network().layers().size(), model.parity().size());
        if (model.vocabulary() != null && model.vocabulary().getClass() != dev.lstmserve.model.Vocabulary.class) {
            log.warn("The model's Keras Tokenizer vocabulary is not part of the export: serve {} with the same"
                    + " lstm.model.vocabulary-path", target);
        }
    }

    private static void check(LstmModel original, LstmModel written, Path target, LstmProperties.Parity tolerances) {
        LstmInference exported = new LstmInference(written);
        List<ParityCase> cases = written.parity().stream().map(sample -> new ParityCase(sample, exported)).toList();
        ParityReport report = ParityChecker.check(cases, tolerances.rtol(), tolerances.atol());
        if (!report.passed()) {
            throw new ModelLoadException(target.toString(), "the exported model fails its parity samples: "
                    + report.cases().stream().filter(c -> !c.passed()).map(c -> c.name()).toList());
        }
        ForwardQuery query = deterministicInputs(original);
        Object expected = new LstmInference(original).predict(query).outputs();
        Object actual = exported.predict(query).outputs();
        if (!Arrays.deepEquals(new Object[] {expected}, new Object[] {actual})) {
            throw new ModelLoadException(target.toString(), "the exported model's outputs differ from the original's"
                    + " on the same inputs");
        }
    }

    /** Three windows of seeded random token ids or inputs, as long as the model takes (8 when it takes any). */
    private static ForwardQuery deterministicInputs(LstmModel model) {
        Random random = new Random(42);
        int declared = model.network().inputShape()[0];
        int steps = declared > 0 ? declared : 8;
        if (model.embedding() != null) {
            int[][] tokens = new int[3][steps];
            for (int[] row : tokens) {
                for (int t = 0; t < steps; t++) {
                    row[t] = random.nextInt(model.embedding().inputDim());
                }
            }
            return new ForwardQuery(tokens, null, null, null, null, null, null, null, null);
        }
        double[][][] inputs = new double[3][steps][model.inputSize()];
        for (double[][] window : inputs) {
            for (double[] step : window) {
                for (int e = 0; e < step.length; e++) {
                    step[e] = random.nextDouble() * 2 - 1;
                }
            }
        }
        return new ForwardQuery(null, null, inputs, null, null, null, null, null, null);
    }
}
