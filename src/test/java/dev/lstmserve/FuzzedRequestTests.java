package dev.lstmserve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

import dev.lstmserve.web.ProblemJson;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzing of the request path through the real server on 127.0.0.1: bodies mutated from the seeds in
 * {@code src/test/resources/fuzz/seeds} byte by byte ({@value #MUTATED} tries) and value by value in their JSON tree
 * ({@value #TREE_MUTATED} tries: mostly valid JSON, so the model's own checks and the engine run), and JSON of random
 * structure ({@value #GENERATED} tries) — deep nesting, huge and non-finite numbers, odd Unicode, wrong types — never
 * get a 5xx, every error is a problem+json without the service's insides, and the service still serves afterwards. jqwik reports the seed of a
 * failing run; {@code @Property(seed = "...")} replays it.
 */
class FuzzedRequestTests {

    static final int MUTATED = 1500;
    static final int TREE_MUTATED = 1500;
    static final int GENERATED = 1000;

    private static final Path SEEDS = Path.of("src/test/resources/fuzz/seeds");

    /** Fragments a mutation inserts: JSON syntax, the contract's names, numbers and text that parsers trip on. */
    private static final List<byte[]> DICTIONARY = Stream.of("{", "}", "[", "]", ",", ":", "\"", "null", "true",
                    "false", "0", "-0", "-1", "1.5", "1e400", "-1e400", "1E-400", "3.4028236e38", "NaN", "Infinity",
                    "123456789012345678901234567890", "9223372036854775808", "0x10", "\"tokens\"", "\"text\"",
                    "\"inputs\"", "\"initial_state\"", "\"h\"", "\"c\"", "\"return_sequences\"", "\"return_state\"",
                    "[[", "]]", "[[[", "]]]", "[[[[[[[[[[[[[[[[", "\"\\ud800\"", "\"\\u0000\"", "\"\\\"", "\\",
                    "\"é\"", "\"\u202e\"", "\"🌸\"", "\"<_unk>\"", "/*", "*/", "//", "'", "\t", "\n", " ")
            .map(fragment -> fragment.getBytes(StandardCharsets.UTF_8)).toList();

    private static final List<byte[]> INVALID_UTF8 = List.of(new byte[] {(byte) 0xc3, 0x28},
            new byte[] {(byte) 0xf0, (byte) 0x9f}, new byte[] {(byte) 0xff}, new byte[] {(byte) 0xed, (byte) 0xa0,
                    (byte) 0x80}, new byte[] {(byte) 0xc0, (byte) 0xaf});

    /** How many bodies got which status and title, printed at the end: how deep the fuzzing reached. */
    private static final Map<String, LongAdder> OUTCOMES = new ConcurrentHashMap<>();

    private static final List<String> FIELDS = List.of("tokens", "text", "inputs", "initial_state", "h", "c",
            "return_sequences", "return_state", "top_k", "unknown");

    /** Reads huge and tiny numbers exactly (a mutation may insert 1e400), as the service's parser sees them. */
    private static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNumberLength(100_000).build()).build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS, DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .build();

    private static ConfigurableApplicationContext service;
    private static LocalHttp http;
    private static List<byte[]> seeds;

    @BeforeContainer
    static void startService() throws IOException {
        try (Stream<Path> files = Files.list(SEEDS)) {
            seeds = files.filter(file -> file.toString().endsWith(".json")).sorted().map(FuzzedRequestTests::read)
                    .toList();
        }
        assertThat(seeds).as("seeds in %s", SEEDS).hasSizeGreaterThan(10);
        service = new SpringApplicationBuilder(LstmServeApplication.class)
                .run("--server.port=0", "--server.address=127.0.0.1", "--spring.main.banner-mode=off");
        http = new LocalHttp(service.getEnvironment().getRequiredProperty("local.server.port", Integer.class));
    }

    @AfterContainer
    static void serviceStillServesAndStops() throws Exception {
        try {
            if (http != null) {
                HttpResponse<String> after = http.post("/lstm/forward", SeedToyJson.seedRequest());
                assertThat(after.statusCode()).as("serving after the fuzzing: %s", after.body()).isEqualTo(200);
                SeedToyJson.assertMatchesSample(SeedToyJson.JSON.readTree(after.body()),
                        SeedToyJson.paritySample("seed-toy/return_sequences+return_state"));
                assertThat(http.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
            }
        } finally {
            System.out.println("FuzzedRequestTests outcomes: " + new TreeMap<>(OUTCOMES));
            if (service != null) {
                service.close();
            }
        }
    }

    @Property(tries = MUTATED, shrinking = ShrinkingMode.BOUNDED)
    void mutatedSeedsGetAnAnswerThatIsNot5xx(@ForAll("mutatedSeeds") byte[] body) throws Exception {
        assertAnsweredWithoutServerError(body);
    }

    @Property(tries = TREE_MUTATED, shrinking = ShrinkingMode.BOUNDED)
    void treeMutatedSeedsGetAnAnswerThatIsNot5xx(@ForAll("treeMutatedSeeds") String body) throws Exception {
        assertAnsweredWithoutServerError(body.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = GENERATED, shrinking = ShrinkingMode.BOUNDED)
    void randomJsonGetsAnAnswerThatIsNot5xx(@ForAll("randomJson") String body) throws Exception {
        assertAnsweredWithoutServerError(body.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertAnsweredWithoutServerError(byte[] body) throws Exception {
        HttpResponse<String> response = http.post("/lstm/forward", body);
        String sent = new String(body, 0, Math.min(body.length, 400), StandardCharsets.UTF_8);
        int status = response.statusCode();
        assertThat(status).as("status for %s: %s", sent, response.body()).isBetween(200, 499);
        if (status == 200) {
            assertThat(SeedToyJson.JSON.readTree(response.body()).has("outputs")).as(response.body()).isTrue();
            OUTCOMES.computeIfAbsent("200", k -> new LongAdder()).increment();
        } else {
            String title = ProblemJson.assertProblem(status, status,
                    response.headers().firstValue("Content-Type").orElse(null), response.body())
                    .path("title").asString();
            OUTCOMES.computeIfAbsent(status + " " + title, k -> new LongAdder()).increment();
        }
    }

    /** A seed with one to six mutations, each at a position given as a fraction of the body's length. */
    @Provide
    Arbitrary<byte[]> mutatedSeeds() {
        Arbitrary<Mutation> mutation = Combinators.combine(
                Arbitraries.integers().between(0, 6),
                Arbitraries.doubles().between(0, 1),
                Arbitraries.doubles().between(0, 1),
                Arbitraries.integers().between(0, 1000),
                Arbitraries.bytes()).as(Mutation::new);
        return Combinators.combine(Arbitraries.of(seeds), mutation.list().ofMinSize(1).ofMaxSize(6),
                Arbitraries.of(seeds)).as(FuzzedRequestTests::mutate);
    }

    record Mutation(int kind, double at, double length, int pick, byte value) {
    }

    private static byte[] mutate(byte[] seed, List<Mutation> mutations, byte[] other) {
        byte[] body = seed;
        for (Mutation m : mutations) {
            int at = (int) (m.at() * body.length);
            int length = 1 + (int) (m.length() * Math.min(64, body.length - at));
            body = switch (m.kind()) {
                case 0 -> replace(body, at, 1, new byte[] {m.value()});
                case 1 -> replace(body, at, 0, DICTIONARY.get(m.pick() % DICTIONARY.size()));
                case 2 -> replace(body, at, Math.min(length, body.length - at), new byte[0]);
                case 3 -> replace(body, at, 0, Arrays.copyOfRange(body, at, Math.min(body.length, at + length)));
                case 4 -> concat(Arrays.copyOfRange(body, 0, at),
                        Arrays.copyOfRange(other, (int) (m.length() * other.length), other.length));
                case 5 -> replace(body, at, 0, INVALID_UTF8.get(m.pick() % INVALID_UTF8.size()));
                default -> replace(body, at, 0, (("[".repeat(m.pick() * 10)) + "]".repeat(m.pick() * 10))
                        .getBytes(StandardCharsets.US_ASCII));
            };
        }
        return body;
    }

    /**
     * A seed that is valid JSON, changed one to four times where it is a tree: a value replaced by a number, string,
     * boolean or null; an array grown, shrunk, emptied or wrapped; a field dropped, added or renamed.
     */
    @Provide
    Arbitrary<String> treeMutatedSeeds() {
        List<JsonNode> trees = seeds.stream().map(FuzzedRequestTests::parseOrNull)
                .filter(tree -> tree != null && tree.isObject()).toList();
        Arbitrary<TreeMutation> mutation = Combinators.combine(
                Arbitraries.integers().between(0, 7),
                Arbitraries.doubles().between(0, 1),
                Arbitraries.integers().between(0, 1000),
                // Mostly values of the right kind, so that many bodies pass the parser and reach the model's checks.
                Arbitraries.frequencyOf(
                        Tuple.of(4, Arbitraries.integers().between(-2, 12).map(String::valueOf)),
                        Tuple.of(3, Arbitraries.floats().between(-3, 3).map(String::valueOf)),
                        Tuple.of(2, number()),
                        Tuple.of(1, Arbitraries.strings().all().ofMaxLength(12).map(FuzzedRequestTests::quote))))
                .as(TreeMutation::new);
        return Combinators.combine(Arbitraries.of(trees), mutation.list().ofMinSize(1).ofMaxSize(3))
                .as(FuzzedRequestTests::mutateTree);
    }

    record TreeMutation(int kind, double at, int pick, String value) {
    }

    private static String mutateTree(JsonNode seed, List<TreeMutation> mutations) {
        JsonNode tree = seed.deepCopy();
        for (TreeMutation m : mutations) {
            List<JsonNode> containers = new ArrayList<>();
            collectContainers(tree, containers);
            JsonNode value = JSON.readTree(m.value());
            if (m.kind() <= 3) {
                // A leaf: a token id, a feature, a word, a flag.
                List<JsonNode> parents = containers.stream().filter(c -> c.valueStream().anyMatch(v -> !v.isContainer()))
                        .toList();
                if (!parents.isEmpty()) {
                    replaceLeaf(parents.get((int) (m.at() * parents.size()) % parents.size()), m.pick(), value);
                }
                continue;
            }
            JsonNode target = containers.get((int) (m.at() * containers.size()) % containers.size());
            if (target instanceof ArrayNode array && !array.isEmpty()) {
                int i = m.pick() % array.size();
                switch (m.kind()) {
                    case 4 -> array.remove(i);
                    case 5 -> {
                        for (int k = 0; k <= m.pick() % 40; k++) {
                            array.add(array.get(i).deepCopy());
                        }
                    }
                    case 6 -> array.set(i, JSON.createArrayNode().add(array.get(i)));
                    default -> array.removeAll();
                }
            } else if (target instanceof ObjectNode object) {
                List<String> names = new ArrayList<>(object.propertyNames());
                String name = names.isEmpty() ? "tokens" : names.get(m.pick() % names.size());
                switch (m.kind()) {
                    case 4 -> object.remove(name);
                    case 5 -> object.set(FIELDS.get(m.pick() % FIELDS.size()), value);
                    case 6 -> {
                        JsonNode moved = object.remove(name);
                        if (moved != null) {
                            object.set(FIELDS.get(m.pick() % FIELDS.size()), moved);
                        }
                    }
                    default -> object.set(name, JSON.nullNode());
                }
            }
        }
        return JSON.writeValueAsString(tree);
    }

    private static void replaceLeaf(JsonNode parent, int pick, JsonNode value) {
        if (parent instanceof ArrayNode array) {
            List<Integer> leaves = new ArrayList<>();
            for (int i = 0; i < array.size(); i++) {
                if (!array.get(i).isContainer()) {
                    leaves.add(i);
                }
            }
            array.set(leaves.get(pick % leaves.size()), value);
        } else if (parent instanceof ObjectNode object) {
            List<String> leaves = object.propertyNames().stream().filter(n -> !object.get(n).isContainer()).toList();
            object.set(leaves.get(pick % leaves.size()), value);
        }
    }

    private static void collectContainers(JsonNode node, List<JsonNode> containers) {
        if (node.isContainer()) {
            containers.add(node);
            for (JsonNode child : node) {
                collectContainers(child, containers);
            }
        }
    }

    private static JsonNode parseOrNull(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * A JSON object of random structure: the contract's field names and others, holding numbers (huge, tiny,
     * negative zero), strings (any code point, lone surrogates, control characters), booleans, null, and arrays and
     * objects nested a few levels or thousands of levels deep.
     */
    @Provide
    Arbitrary<String> randomJson() {
        Arbitrary<String> value = Arbitraries.recursive(FuzzedRequestTests::scalar,
                inner -> Arbitraries.oneOf(array(inner), object(inner), deep(inner)), 0, 4);
        Arbitrary<String> field = Arbitraries.oneOf(
                Arbitraries.of("tokens", "text", "inputs", "initial_state", "return_sequences", "return_state", "h",
                        "c", "Tokens", "", "top_k"),
                Arbitraries.strings().ofMaxLength(8));
        Arbitrary<String> entry = Combinators.combine(field, Arbitraries.oneOf(value, numberArrays()))
                .as((name, v) -> quote(name) + ": " + v);
        return entry.list().ofMinSize(0).ofMaxSize(4).map(entries -> "{" + String.join(", ", entries) + "}");
    }

    private static Arbitrary<String> scalar() {
        return Arbitraries.oneOf(number(), Arbitraries.strings().all().ofMaxLength(12).map(FuzzedRequestTests::quote),
                Arbitraries.of("true", "false", "null"));
    }

    private static Arbitrary<String> number() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(-20, 20).map(String::valueOf),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf),
                Arbitraries.of("1e400", "-1e400", "1E-400", "-0", "-0.0", "3.4028235e38", "3.4028236e38", "1e-46",
                        "4.9e-324", "123456789012345678901234567890", "0.00000000000000000000000000001",
                        "1" + "0".repeat(1200), "1." + "1".repeat(1200)));
    }

    /** Arrays of numbers shaped like tokens [B][T] or inputs [B][T][E], so that the model's own checks run. */
    private static Arbitrary<String> numberArrays() {
        Arbitrary<String> row = number().list().ofMinSize(0).ofMaxSize(5).map(n -> "[" + String.join(", ", n) + "]");
        Arbitrary<String> matrix = row.list().ofMinSize(0).ofMaxSize(4).map(r -> "[" + String.join(", ", r) + "]");
        return Arbitraries.oneOf(matrix, matrix.list().ofMinSize(0).ofMaxSize(3)
                .map(m -> "[" + String.join(", ", m) + "]"));
    }

    private static Arbitrary<String> array(Arbitrary<String> inner) {
        return inner.list().ofMaxSize(4).map(items -> "[" + String.join(", ", items) + "]");
    }

    private static Arbitrary<String> object(Arbitrary<String> inner) {
        return Combinators.combine(Arbitraries.strings().ofMaxLength(6), inner)
                .as((name, v) -> quote(name) + ": " + v).list().ofMaxSize(3)
                .map(entries -> "{" + String.join(", ", entries) + "}");
    }

    private static Arbitrary<String> deep(Arbitrary<String> inner) {
        return Combinators.combine(Arbitraries.integers().between(1, 5000), Arbitraries.of("[", "{\"a\": "), inner)
                .as((depth, open, v) -> open.repeat(depth) + v + (open.equals("[") ? "]" : "}").repeat(depth));
    }

    /** A JSON string; characters outside printable ASCII as \\u escapes half the time, lone surrogates always. */
    private static String quote(String text) {
        StringBuilder json = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20 || Character.isSurrogate(c) || (c > 0x7e && (i + c) % 2 == 0)) {
                json.append(String.format("\\u%04x", (int) c));
            } else {
                json.append(c);
            }
        }
        return json.append('"').toString();
    }

    private static byte[] replace(byte[] body, int at, int remove, byte[] insert) {
        List<byte[]> parts = new ArrayList<>();
        parts.add(Arrays.copyOfRange(body, 0, at));
        parts.add(insert);
        parts.add(Arrays.copyOfRange(body, Math.min(body.length, at + remove), body.length));
        return concat(parts.toArray(byte[][]::new));
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
