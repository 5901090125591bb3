package dev.lstmserve.model.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.lstmserve.inference.ForwardQuery;
import dev.lstmserve.inference.ForwardResult;
import dev.lstmserve.inference.LstmInference;
import dev.lstmserve.inference.LstmService;
import dev.lstmserve.inference.ModelDescription;
import dev.lstmserve.model.LstmModel;
import dev.lstmserve.model.ModelLoadException;
import dev.lstmserve.model.ModelLoader;
import io.jhdf.HdfFile;
import tools.jackson.databind.JsonNode;

/**
 * The real-Keras references of {@code ../shared/keras-reference} (read in place; skipped with a message when absent,
 * unless {@code LSTM_REQUIRE_SHARED=true}) served as the service serves them, through {@link ModelLoader}:
 * <ul>
 * <li>DL4J's Keras 2.0.8 Theano model, weights-only {@code .h5} with its config, against the 283 predictions Keras
 * wrote ({@code predictions.npy});</li>
 * <li>DL4J's simple_flatten_lstm (Keras 2.1.3), full model and weights-only + config, against its
 * {@code predictions/} and the LSTM layer's {@code activations/lstm_1} (its {@code outputs/} group holds training
 * targets, not Keras' outputs);</li>
 * <li>the format samples with only servable layers: version as written, layers, and outputs on inputs chosen by the
 * Keras oracle, which read the files' own config and weights ({@code keras-models/shared/*.json});</li>
 * <li>frugally-deep's five-input file, refused naming its inputs.</li>
 * </ul>
 */
class SharedKerasReferenceTests {

    private static final double RTOL = 1e-5;
    private static final double ATOL = 1e-6;
    private static final Map<String, Double> MAX_ABS_ERROR = new TreeMap<>();

    @AfterAll
    static void printMaxAbsErrors() {
        StringBuilder report = new StringBuilder("Max abs error against real Keras references through ModelLoader:");
        MAX_ABS_ERROR.forEach((name, error) -> report.append(String.format("%n  %-70s %.2e", name, error)));
        System.out.println(report);
    }

    @Test
    void dl4jKerasTwoTheanoWeightsWithConfigReproduceAll283Predictions() throws IOException {
        Path weights = SharedReferences.file("dl4j-fullconfigs-lstm/lstm_th_keras_2_weights.h5");
        Path config = SharedReferences.file("dl4j-fullconfigs-lstm/lstm_th_keras_2_config.json");
        float[] predictions = readNpyFloat32(SharedReferences.file("dl4j-fullconfigs-lstm/predictions.npy"), 283);

        LstmModel model = ModelLoader.load(weights, config);
        assertThat(model.kerasVersion()).isEqualTo("2.0.8");
        assertThat(model.backend()).isEqualTo("theano");
        double[][][] inputs = new double[predictions.length][][];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = readSequence(SharedReferences.file("dl4j-fullconfigs-lstm/data/sequences/" + i + ".csv"), 12);
        }
        float[][] predicted = (float[][]) new LstmInference(model).predict(new ForwardQuery(null, null, inputs, null,
                null, null, null, null, null)).outputs();

        assertThat(predicted).hasNumberOfRows(283);
        double worst = 0;
        for (int i = 0; i < predictions.length; i++) {
            assertThat(predicted[i]).hasSize(1);
            worst = Math.max(worst, assertClose("sequence " + i, predicted[i][0], predictions[i]));
        }
        record("dl4j-fullconfigs-lstm predictions.npy (283 sequences)", worst);
    }

    @Test
    void simpleFlattenLstmFullModelAndWeightsWithConfigReproduceItsPredictionsAndLstmActivations() {
        Path data = SharedReferences.file("dl4j-simple-flatten-lstm/simple_flatten_lstm_tf_keras_2_inputs_and_outputs.h5");
        double[][][] inputs;
        float[][] predictions;
        float[][] activations;
        try (HdfFile hdf = new HdfFile(data)) {
            float[][][] in = (float[][][]) hdf.getDatasetByPath("inputs/lstm_1_input").getData();
            inputs = new double[in.length][in[0].length][in[0][0].length];
            for (int b = 0; b < in.length; b++) {
                for (int t = 0; t < in[b].length; t++) {
                    for (int e = 0; e < in[b][t].length; e++) {
                        inputs[b][t][e] = in[b][t][e];
                    }
                }
            }
            predictions = (float[][]) hdf.getDatasetByPath("predictions/dense_1").getData();
            activations = (float[][]) hdf.getDatasetByPath("activations/lstm_1").getData();
        }
        Map<String, LstmModel> models = Map.of(
                "full model .h5", ModelLoader.load(SharedReferences.file(
                        "dl4j-simple-flatten-lstm/simple_flatten_lstm_tf_keras_2_model.h5")),
                "weights-only .h5 + config", ModelLoader.load(
                        SharedReferences.file("dl4j-simple-flatten-lstm/simple_flatten_lstm_tf_keras_2_weights.h5"),
                        SharedReferences.file("dl4j-simple-flatten-lstm/simple_flatten_lstm_tf_keras_2_config.json")));
        models.forEach((format, model) -> {
            assertThat(model.kerasVersion()).isEqualTo("2.1.3");
            LstmInference inference = new LstmInference(model);
            float[][] predicted = (float[][]) inference.predict(new ForwardQuery(null, null, inputs, null, null, null,
                    null, null, null)).outputs();
            record("simple_flatten_lstm predictions/ (" + format + ")", assertClose(format + " predict", predicted, predictions));
            ForwardResult forward = inference.forward(new ForwardQuery(null, null, inputs, null, null, false, false,
                    "lstm_1", null));
            record("simple_flatten_lstm activations/lstm_1 (" + format + ")",
                    assertClose(format + " forward lstm_1", (float[][]) forward.outputs(), activations));
        });
    }

    static Stream<KerasModelFixture> formatSampleFixtures() throws IOException {
        try (Stream<Path> files = Files.list(KerasModelFixture.DIR.resolve("shared"))) {
            return files.sorted().map(KerasModelFixture::read).toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("formatSampleFixtures")
    void formatSampleLoadsDescribesItselfAndMatchesTheOracle(KerasModelFixture fixture) {
        Path file = SharedReferences.file(fixture.json().get("shared_file").asString());
        LstmModel model = ModelLoader.load(file);

        ModelDescription description = new LstmService(model).describe();
        assertThat(description.kerasVersion()).isEqualTo(fixture.json().get("keras_version").asString());
        assertThat(description.source()).isEqualTo(file.toString());
        List<String> layers = description.layers().stream().map(l -> l.get("class_name") + " " + l.get("name")).toList();
        assertThat(layers).containsExactlyElementsOf(fixture.layers().stream()
                .map(l -> l.className() + " " + l.name()).toList());
        LstmInference inference = new LstmInference(model);
        double worst = 0;
        for (JsonNode sample : fixture.samples(false)) {
            worst = Math.max(worst, KerasModelFixtureTests.checkSample(inference, sample));
        }
        record("format-samples " + fixture.name() + " (tfjs oracle)", worst);
    }

    @Test
    void frugallyDeepsFiveInputBidirectionalModelIsRefusedNamingItsInputs() {
        Path file = SharedReferences.file("format-samples/fdeep_lstm_keras2.2.5.h5");
        assertThatThrownBy(() -> ModelLoader.load(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContaining("5 inputs [input_1, input_2, input_3, input_4, input_5]")
                .hasMessageContaining("only a single chain with one input and one output is servable");
    }

    /**
     * A {@code .npy} file of float32 values, read from its header ({@code numpy/lib/format.py}): magic
     * {@code \x93NUMPY}, version, header length (2 bytes little-endian in version 1, 4 in 2 and 3), a Python dict
     * literal with {@code descr}, {@code fortran_order} and {@code shape}, then the data.
     */
    static float[] readNpyFloat32(Path file, int expectedCount) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[6];
        bytes.get(magic);
        assertThat(magic).as("%s magic", file).isEqualTo(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'});
        int major = bytes.get();
        bytes.get();
        int headerLength = major == 1 ? Short.toUnsignedInt(bytes.getShort()) : bytes.getInt();
        byte[] headerBytes = new byte[headerLength];
        bytes.get(headerBytes);
        String header = new String(headerBytes, StandardCharsets.ISO_8859_1);
        assertThat(header).as("%s header", file).contains("'descr': '<f4'").contains("'fortran_order': False");
        Matcher shape = Pattern.compile("'shape': \\((\\d+),\\)").matcher(header);
        assertThat(shape.find()).as("%s is one-dimensional: %s", file, header).isTrue();
        int count = Integer.parseInt(shape.group(1));
        assertThat(count).isEqualTo(expectedCount);
        float[] values = new float[count];
        bytes.asFloatBuffer().get(values);
        return values;
    }

    /** One window: a {@code ;}-separated row per step, of which the first {@code features} columns are inputs. */
    private static double[][] readSequence(Path csv, int features) {
        try {
            return Files.readAllLines(csv).stream().filter(line -> !line.isBlank()).map(line -> {
                String[] cells = line.split(";");
                double[] step = new double[features];
                for (int i = 0; i < features; i++) {
                    step[i] = Double.parseDouble(cells[i]);
                }
                return step;
            }).toArray(double[][]::new);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static double assertClose(String what, float[][] actual, float[][] expected) {
        assertThat(actual).as(what + " rows").hasNumberOfRows(expected.length);
        double worst = 0;
        for (int r = 0; r < expected.length; r++) {
            assertThat(actual[r]).as(what + "[" + r + "]").hasSize(expected[r].length);
            for (int i = 0; i < expected[r].length; i++) {
                worst = Math.max(worst, assertClose(what + "[" + r + "][" + i + "]", actual[r][i], expected[r][i]));
            }
        }
        return worst;
    }

    private static double assertClose(String what, float actual, float expected) {
        double error = Math.abs((double) actual - expected);
        assertThat(error).as("%s = %s; Keras: %s", what, actual, expected)
                .isLessThanOrEqualTo(ATOL + RTOL * Math.abs((double) expected));
        return error;
    }

    private static void record(String name, double error) {
        synchronized (MAX_ABS_ERROR) {
            MAX_ABS_ERROR.merge(name, error, Math::max);
        }
    }
}
