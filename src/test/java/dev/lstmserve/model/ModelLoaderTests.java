package dev.lstmserve.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import dev.lstmserve.core.Activation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Loading lstm-serve JSON models: the embedded default, the test models, and bad files, which must be refused with
 * a {@link ModelLoadException} that names the file and the offending field.
 */
class ModelLoaderTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path TEST_MODELS = Path.of("src/test/resources/models");

    @TempDir
    Path dir;

    @Test
    void theEmbeddedDefaultIsTheSeedToyModel() {
        LstmModel model = ModelLoader.loadDefault();

        assertThat(model.name()).isEqualTo("seed-toy");
        assertThat(model.source()).isEqualTo("classpath:models/seed-toy.json");
        assertThat(model.format()).isEqualTo("lstm-serve-json");
        // The seed's example_w2t_dict, ids 0–8.
        assertThat(model.vocabulary().words())
                .containsExactly("<_unk>", "a", "but", "common", "flower", "is", "not", "the", "word");
        assertThat(model.embedding().inputDim()).isEqualTo(9);
        assertThat(model.embedding().outputDim()).isEqualTo(2);
        assertThat(model.embedding().maskZero()).isFalse();
        assertThat(model.units()).isEqualTo(2);
        assertThat(model.inputSize()).isEqualTo(2);
        assertThat(model.lstm().activation()).isEqualTo(Activation.TANH);
        assertThat(model.lstm().recurrentActivation()).isEqualTo(Activation.SIGMOID);
        assertThat(model.lstm().goBackwards()).isFalse();
        assertThat(model.lstm().weights().useBias()).isTrue();
        assertThat(model.parity()).extracting(ParitySample::name).containsExactly(
                "seed-toy/return_sequences+return_state", "seed-toy/return_sequences", "seed-toy/return_state",
                "seed-toy/last_output");
        for (ParitySample sample : model.parity()) {
            assertThat(sample.tokens()).isDeepEqualTo(new int[][] {{7, 8, 0, 5}, {6, 1, 3, 8}, {2, 4, 5, 1}});
            // The notebook's tf.random.Generator.from_seed(42): h is its first normal([1, 2]) draw, c its second.
            for (int row = 0; row < 3; row++) {
                assertThat(sample.initialState().h()[row]).containsExactly(-0.7565803f, -0.06854702f);
                assertThat(sample.initialState().c()[row]).containsExactly(0.9029392f, -0.12441138f);
            }
        }
    }

    @Test
    void theUnitForgetBiasOfTheSeedToyModelIsInTheFBlock() {
        // Keras' unit_forget_bias: bias zeros except the f block (columns H..2H-1), which is 1.0.
        assertThat(ModelLoader.loadDefault().lstm().weights().bias()).containsExactly(0f, 0f, 1f, 1f, 0f, 0f, 0f, 0f);
    }

    static Stream<Path> testModels() throws IOException {
        try (Stream<Path> files = Files.list(TEST_MODELS)) {
            List<Path> models = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
            assertThat(models).isNotEmpty();
            return models.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("testModels")
    void everyTestModelLoads(Path file) {
        LstmModel model = ModelLoader.load(file);

        assertThat(model.source()).isEqualTo(file.toString());
        assertThat(model.name()).isEqualTo(file.getFileName().toString().replace(".json", ""));
        assertThat(model.parity()).isNotEmpty();
    }

    /** An lstm-serve JSON model reads {@code <model file>.parity.json} too, after its own samples, as a Keras file does. */
    @Test
    void aJsonModelTakesTheSamplesOfItsSidecarAfterItsOwn() throws IOException {
        Path model = Files.copy(TEST_MODELS.resolve("masked-toy.json"), dir.resolve("masked-toy.json"));
        JsonNode own = JSON.readTree(model.toFile()).get("parity");
        // One of the model's own oracle samples, renamed: numbers Keras computed for this model.
        ObjectNode recorded = ((ObjectNode) own.get(0).deepCopy()).put("name", "recorded/padded");
        ObjectNode sidecar = JSON.createObjectNode().put("generated_by", "a test");
        sidecar.putArray("samples").add(recorded);
        Files.writeString(dir.resolve("masked-toy.json.parity.json"), JSON.writeValueAsString(sidecar));

        LstmModel loaded = ModelLoader.load(model);

        assertThat(loaded.parity()).extracting(ParitySample::name).hasSize(own.size() + 1)
                .startsWith(own.get(0).get("name").asString()).endsWith("recorded/padded");
    }

    @Test
    void aJsonModelsBrokenSidecarIsRefusedNamingTheSidecar() throws IOException {
        Path model = Files.copy(TEST_MODELS.resolve("masked-toy.json"), dir.resolve("masked-toy.json"));
        Path sidecar = Files.writeString(dir.resolve("masked-toy.json.parity.json"), "{\"samples\": [{\"name\": \"x\"}]}");

        assertThatThrownBy(() -> ModelLoader.load(model)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(sidecar.toString()).hasMessageContaining("tokens and inputs");
    }

    @Test
    void testModelsKeepTheirSettings() {
        LstmModel masked = ModelLoader.load(TEST_MODELS.resolve("masked-toy.json"));
        assertThat(masked.embedding().maskZero()).isTrue();
        assertThat(masked.vocabulary().words()).containsExactly("<pad>", "<_unk>", "the", "cat", "sat", "down");
        assertThat(masked.units()).isEqualTo(4);

        LstmModel inputsOnly = ModelLoader.load(TEST_MODELS.resolve("inputs-only.json"));
        assertThat(inputsOnly.embedding()).isNull();
        assertThat(inputsOnly.vocabulary()).isNull();
        assertThat(inputsOnly.inputSize()).isEqualTo(5);
        assertThat(inputsOnly.units()).isEqualTo(3);
        assertThat(inputsOnly.lstm().activation()).isEqualTo(Activation.SOFTSIGN);
        assertThat(inputsOnly.lstm().weights().useBias()).isFalse();
        assertThat(inputsOnly.lstm().goBackwards()).isTrue();

        LstmModel keras2 = ModelLoader.load(TEST_MODELS.resolve("hard-sigmoid-keras2.json"));
        assertThat(keras2.kerasVersion()).isEqualTo("2.2.4");
        assertThat(keras2.lstm().recurrentActivation()).isEqualTo(Activation.HARD_SIGMOID_KERAS2);
    }

    @Test
    void hardSigmoidMeansKeras3UnlessTheFileSaysKeras2() throws IOException {
        // API.md: in lstm-serve JSON, hard_sigmoid is the Keras 3 form unless "keras_version" says 2.x.
        ObjectNode model = tree(TEST_MODELS.resolve("hard-sigmoid-keras2.json"));
        model.remove("parity"); // recorded with the Keras 2 form; only the reading is under test here
        assertThat(load(model, "k2.json").lstm().recurrentActivation()).isEqualTo(Activation.HARD_SIGMOID_KERAS2);
        model.put("keras_version", "2.15.0");
        assertThat(load(model, "tf-keras-2.15.json").lstm().recurrentActivation())
                .isEqualTo(Activation.HARD_SIGMOID_KERAS2);
        model.put("keras_version", "3.4.1");
        assertThat(load(model, "k3.json").lstm().recurrentActivation()).isEqualTo(Activation.HARD_SIGMOID_KERAS3);
        model.remove("keras_version");
        assertThat(load(model, "unversioned.json").lstm().recurrentActivation())
                .isEqualTo(Activation.HARD_SIGMOID_KERAS3);
    }

    @Test
    void aFileWithAByteOrderMarkOrLeadingWhiteSpaceLoads() throws IOException {
        byte[] seed = seedToyBytes();
        Path bom = dir.resolve("bom.json");
        try (OutputStream out = Files.newOutputStream(bom)) {
            out.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
            out.write(seed);
        }
        assertThat(ModelLoader.load(bom).name()).isEqualTo("seed-toy");

        Path indented = dir.resolve("indented.json");
        try (OutputStream out = Files.newOutputStream(indented)) {
            out.write("\n\n    \t\t    \r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(seed);
        }
        assertThat(ModelLoader.load(indented).name()).isEqualTo("seed-toy");
    }

    // ---------------------------------------------------------------- bad JSON models

    static Stream<Arguments> badModels() {
        return Stream.of(
                bad("wrong-format", m -> m.put("format", "keras"),
                        "format = \"keras\"; expected \"lstm-serve-model\""),
                bad("missing-format", m -> m.remove("format"), "format = null; expected \"lstm-serve-model\""),
                bad("version-3", m -> m.put("version", 3), "version = 3; this service reads versions 1 and 2"),
                bad("version-2-with-version-1-fields", m -> m.put("version", 2), "unknown field embedding"),
                bad("unknown-top-level-field", m -> m.put("weights", 1), "unknown field weights"),
                bad("unknown-lstm-field", m -> lstm(m).put("dropout", 0.1), "unknown field lstm.dropout"),
                bad("unknown-embedding-field", m -> ((ObjectNode) m.get("embedding")).put("trainable", true),
                        "unknown field embedding.trainable"),
                bad("kernel-rows-vs-output-dim",
                        m -> ((ArrayNode) lstm(m).get("kernel")).add(lstm(m).get("kernel").get(0).deepCopy()),
                        "lstm.kernel has 3 rows; expected 2 (embedding.output_dim)"),
                bad("bias-length", m -> ((ArrayNode) lstm(m).get("bias")).remove(7),
                        "lstm.bias has 7 values; expected 8"),
                bad("ragged-kernel", m -> ((ArrayNode) lstm(m).get("kernel").get(1)).remove(0),
                        "lstm.kernel[1] has 7 values; expected 8 like lstm.kernel[0]"),
                bad("recurrent-kernel-vs-units", m -> lstm(m).put("units", 3),
                        "lstm.recurrent_kernel has 2 rows; expected 3 (lstm.units)"),
                bad("beyond-float32", m -> ((ArrayNode) lstm(m).get("kernel").get(0)).set(0, 1e39),
                        "lstm.kernel[0][0] = 1.0E39 is not a finite float32"),
                bad("negative-beyond-float32", m -> ((ArrayNode) lstm(m).get("recurrent_kernel").get(1)).set(3, -3.5e38),
                        "lstm.recurrent_kernel[1][3] = -3.5E38 is not a finite float32"),
                bad("string-as-number", m -> ((ArrayNode) lstm(m).get("bias")).set(2, "one"),
                        "lstm.bias[2] = \"one\" is not a number"),
                bad("vocabulary-vs-input-dim", m -> ((ArrayNode) m.get("vocabulary")).remove(8),
                        "vocabulary has 8 words but embedding.input_dim = 9"),
                bad("input-dim-vs-embeddings", m -> ((ObjectNode) m.get("embedding")).put("input_dim", 10),
                        "embedding.embeddings is [9][2]; expected [10][2] (input_dim, output_dim)"),
                bad("repeated-word", m -> ((ArrayNode) m.get("vocabulary")).set(2, "a"),
                        "vocabulary[2] = \"a\" repeats vocabulary[1]"),
                bad("vocabulary-without-embedding", m -> m.remove("embedding"),
                        "vocabulary needs an embedding to look its ids up"),
                bad("unknown-activation", m -> lstm(m).put("activation", "rrelu"),
                        "lstm.activation: activation 'rrelu' is not supported; supported: tanh, sigmoid, hard_sigmoid"),
                bad("unknown-recurrent-activation", m -> lstm(m).put("recurrent_activation", "prelu"),
                        "lstm.recurrent_activation: activation 'prelu' is not supported"),
                bad("bias-without-use-bias", m -> lstm(m).put("use_bias", false),
                        "lstm.bias is given but lstm.use_bias is false"),
                bad("missing-kernel", m -> lstm(m).remove("kernel"), "lstm.kernel is missing"),
                bad("missing-lstm", m -> m.remove("lstm"), "lstm is missing"),
                bad("missing-name", m -> m.remove("name"), "name is missing"),
                bad("keras-version-text", m -> m.put("keras_version", "latest"),
                        "keras_version = \"latest\" does not start with a number"),
                bad("sample-with-tokens-and-inputs", m -> sample(m, 0).set("inputs", JSON.readTree("[[[0.1, 0.2]]]")),
                        "parity[0] needs exactly one of tokens and inputs"),
                bad("sample-without-input", m -> sample(m, 0).remove("tokens"),
                        "parity[0] needs exactly one of tokens and inputs"),
                bad("sample-fractional-token", m -> ((ArrayNode) sample(m, 2).get("tokens").get(1)).set(3, 1.5),
                        "parity[2].tokens[1][3] = 1.5 is not an integer"),
                bad("sample-without-expected", m -> sample(m, 1).remove("expected"), "parity[1].expected is missing"),
                bad("sample-state-without-return-state", m -> ((ObjectNode) sample(m, 1).get("expected"))
                        .set("h", sample(m, 0).get("expected").get("h").deepCopy()),
                        "parity[1].expected has h/c but return_state is false"),
                bad("sample-unknown-field", m -> sample(m, 3).put("mask", true), "unknown field parity[3].mask"));
    }

    private static Arguments bad(String name, Consumer<ObjectNode> breakIt, String problem) {
        return Arguments.of(name, breakIt, problem);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badModels")
    void aBadModelIsRefusedNamingTheFileAndTheField(String name, Consumer<ObjectNode> breakIt, String problem)
            throws IOException {
        ObjectNode model = seedToy();
        breakIt.accept(model);
        Path file = write(model, name + ".json");

        ModelLoadException e = catchThrowableOfType(ModelLoadException.class, () -> ModelLoader.load(file));

        assertThat(e).as("%s must be refused", name).isNotNull();
        assertThat(e.source()).isEqualTo(file.toString());
        assertThat(e).hasMessageStartingWith(file + ": ").hasMessageContaining(problem);
    }

    @Test
    void notJsonAtAllIsRefusedNamingTheFile() throws IOException {
        Path truncated = dir.resolve("truncated.json");
        Files.write(truncated, java.util.Arrays.copyOf(seedToyBytes(), 200));
        assertRefused(truncated, "not valid JSON");

        // JSON has no NaN; a model carrying one is not valid JSON, never a model with a NaN weight.
        String seed = new String(seedToyBytes(), StandardCharsets.UTF_8);
        assertThat(seed).contains("\"bias\": [");
        Path nan = dir.resolve("nan.json");
        Files.writeString(nan, seed.replace("\"bias\": [", "\"bias\": [NaN, "));
        assertRefused(nan, "not valid JSON");

        Path array = dir.resolve("array.json");
        Files.writeString(array, "[1, 2]");
        assertRefused(array, "is not a model file this service reads");
    }

    @Test
    void aMissingFileOrADirectoryIsRefused() {
        Path missing = dir.resolve("no-such-model.json");
        assertRefused(missing, "no such file");
        assertRefused(dir, "is not a regular file");
    }

    @Test
    void anHdf5FileIsReadByContentAndADamagedOneRefusedAsSuch() throws IOException {
        Path h5 = dir.resolve("model.h5");
        try (OutputStream out = Files.newOutputStream(h5)) {
            out.write(new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'});
            out.write(new byte[512]);
        }
        assertRefused(h5, "cannot be read as a Keras HDF5 file (corrupt or truncated?)");
    }

    @Test
    void aZipIsReadAsAKerasArchiveAndOneWithoutWeightsRefused() throws IOException {
        Path keras = dir.resolve("model.keras");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(keras))) {
            zip.putNextEntry(new ZipEntry("config.json"));
            zip.write("{\"class_name\": \"Sequential\"}".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        assertRefused(keras, "has no model.weights.h5");
    }

    @Test
    void garbageAndEmptyFilesAreRefused() throws IOException {
        Path garbage = dir.resolve("garbage.bin");
        byte[] bytes = new byte[4096];
        new Random(42).nextBytes(bytes);
        bytes[0] = 0x07;
        Files.write(garbage, bytes);
        assertRefused(garbage, "is not a model file this service reads");

        Path empty = dir.resolve("empty.json");
        Files.write(empty, new byte[0]);
        assertRefused(empty, "is not a model file this service reads");

        Path blank = dir.resolve("blank.json");
        Files.writeString(blank, "   \n\n\t   \n   ");
        assertThatThrownBy(() -> ModelLoader.load(blank)).isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith(blank + ": ");
    }

    // ---------------------------------------------------------------- helpers

    private void assertRefused(Path file, String problem) {
        assertThatThrownBy(() -> ModelLoader.load(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContaining(problem)
                .satisfies(e -> assertThat(((ModelLoadException) e).source()).isEqualTo(file.toString()));
    }

    private static byte[] seedToyBytes() throws IOException {
        try (InputStream in = ModelLoaderTests.class.getClassLoader().getResourceAsStream(ModelLoader.DEFAULT_MODEL)) {
            return in.readAllBytes();
        }
    }

    private static ObjectNode seedToy() throws IOException {
        return (ObjectNode) JSON.readTree(seedToyBytes());
    }

    private static ObjectNode tree(Path file) {
        return (ObjectNode) JSON.readTree(file);
    }

    private static ObjectNode lstm(ObjectNode model) {
        return (ObjectNode) model.get("lstm");
    }

    private static ObjectNode sample(ObjectNode model, int index) {
        return (ObjectNode) model.get("parity").get(index);
    }

    private Path write(JsonNode model, String name) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, JSON.writeValueAsString(model));
        return file;
    }

    private LstmModel load(JsonNode model, String name) throws IOException {
        return ModelLoader.load(write(model, name));
    }
}
