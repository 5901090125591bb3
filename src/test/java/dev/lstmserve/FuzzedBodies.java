package dev.lstmserve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Request bodies for {@link FuzzedRequestTests}, made from the choices of a Jazzer {@link FuzzedDataProvider}: under
 * {@code JAZZER_FUZZ=1} libFuzzer mutates those choices and keeps the ones that reach new code, otherwise they come
 * from the committed inputs. Three kinds: a seed from {@code src/test/resources/fuzz/seeds} mutated byte by byte, a
 * seed mutated value by value in its JSON tree, and JSON of random structure. Every choice is an integral value, which
 * Jazzer's provider takes from the end of the input; {@link FuzzCorpus} relies on that to trim the inputs it writes.
 */
final class FuzzedBodies {

    static final Path SEEDS = Path.of("src/test/resources/fuzz/seeds");

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

    private static final List<String> FIELDS = List.of("tokens", "text", "inputs", "initial_state", "h", "c",
            "return_sequences", "return_state", "top_k", "unknown");

    private static final List<String> RANDOM_FIELDS = List.of("tokens", "text", "inputs", "initial_state",
            "return_sequences", "return_state", "h", "c", "Tokens", "", "top_k");

    private static final List<String> SPECIAL_NUMBERS = List.of("1e400", "-1e400", "1E-400", "-0", "-0.0",
            "3.4028235e38", "3.4028236e38", "1e-46", "4.9e-324", "123456789012345678901234567890",
            "0.00000000000000000000000000001", "1" + "0".repeat(1200), "1." + "1".repeat(1200));

    /** Reads huge and tiny numbers exactly (a mutation may insert 1e400), as the service's parser sees them. */
    private static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNumberLength(100_000).build()).build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS, DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .build();

    private final List<byte[]> seeds;
    private final List<JsonNode> trees;

    private FuzzedBodies(List<byte[]> seeds) {
        this.seeds = seeds;
        this.trees = seeds.stream().map(FuzzedBodies::parseOrNull).filter(tree -> tree != null && tree.isObject())
                .toList();
    }

    /** The seeds in {@link #SEEDS}, in file name order (the inputs pick them by index). */
    static FuzzedBodies fromSeeds() {
        try (Stream<Path> files = Files.list(SEEDS)) {
            return new FuzzedBodies(files.filter(file -> file.toString().endsWith(".json")).sorted()
                    .map(FuzzedBodies::read).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<byte[]> seeds() {
        return seeds;
    }

    /** One of the three kinds of body, each a function of the provider's next choices. */
    enum Kind {
        MUTATED, TREE_MUTATED, RANDOM_JSON
    }

    byte[] next(Kind kind, FuzzedDataProvider data) {
        return switch (kind) {
            case MUTATED -> mutatedSeed(data);
            case TREE_MUTATED -> treeMutatedSeed(data).getBytes(StandardCharsets.UTF_8);
            case RANDOM_JSON -> randomJson(data).getBytes(StandardCharsets.UTF_8);
        };
    }

    /**
     * A seed with one to six mutations: a byte set, a dictionary fragment or broken UTF-8 inserted, up to 64 bytes
     * deleted or duplicated, the rest replaced by the tail of another seed, or up to 10 000 levels of [] inserted.
     */
    byte[] mutatedSeed(FuzzedDataProvider data) {
        byte[] body = data.pickValue(seeds);
        // Half the bodies one mutation, so that many stay close to a request the parser takes.
        int mutations = data.consumeBoolean() ? 1 : data.consumeInt(2, 6);
        for (int m = 0; m < mutations; m++) {
            int kind = data.consumeInt(0, 6);
            int at = data.consumeInt(0, body.length);
            body = switch (kind) {
                case 0 -> replace(body, at, 1, new byte[] {data.consumeByte()});
                case 1 -> replace(body, at, 0, data.pickValue(DICTIONARY));
                case 2 -> replace(body, at, length(data, body, at), new byte[0]);
                case 3 -> replace(body, at, 0, Arrays.copyOfRange(body, at, at + length(data, body, at)));
                case 4 -> {
                    byte[] other = data.pickValue(seeds);
                    yield concat(Arrays.copyOfRange(body, 0, at),
                            Arrays.copyOfRange(other, data.consumeInt(0, other.length), other.length));
                }
                case 5 -> replace(body, at, 0, data.pickValue(INVALID_UTF8));
                default -> {
                    int depth = data.consumeInt(0, 1000) * 10;
                    yield replace(body, at, 0, ("[".repeat(depth) + "]".repeat(depth))
                            .getBytes(StandardCharsets.US_ASCII));
                }
            };
        }
        return body;
    }

    /** 1 to 64 bytes from {@code at}, within the body. */
    private static int length(FuzzedDataProvider data, byte[] body, int at) {
        return Math.min(data.consumeInt(1, 64), body.length - at);
    }

    /**
     * A seed that is valid JSON, changed one to three times where it is a tree: a leaf replaced by a number, string,
     * boolean or null; an array element removed, repeated, wrapped, or the array emptied; a field dropped, added,
     * renamed or set to null. The new values are mostly of the right kind, so that many bodies pass the parser and
     * reach the model's checks and the engine.
     */
    String treeMutatedSeed(FuzzedDataProvider data) {
        JsonNode tree = data.pickValue(trees).deepCopy();
        // Three bodies in four one mutation: most then pass the parser and reach the model's checks or the engine.
        int mutations = data.consumeInt(0, 3) > 0 ? 1 : data.consumeInt(2, 3);
        for (int m = 0; m < mutations; m++) {
            List<JsonNode> containers = new ArrayList<>();
            collectContainers(tree, containers);
            int kind = data.consumeInt(0, 7);
            if (kind <= 3) {
                // A leaf: a token id, a feature, a word, a flag.
                List<JsonNode> parents = containers.stream()
                        .filter(c -> c.valueStream().anyMatch(v -> !v.isContainer())).toList();
                if (!parents.isEmpty()) {
                    replaceLeaf(data.pickValue(parents), data, JSON.readTree(leafValue(data)));
                }
                continue;
            }
            JsonNode target = data.pickValue(containers);
            if (target instanceof ArrayNode array && !array.isEmpty()) {
                int i = data.consumeInt(0, array.size() - 1);
                switch (kind) {
                    case 4 -> array.remove(i);
                    case 5 -> {
                        int copies = data.consumeInt(1, 40);
                        for (int k = 0; k < copies; k++) {
                            array.add(array.get(i).deepCopy());
                        }
                    }
                    case 6 -> array.set(i, JSON.createArrayNode().add(array.get(i)));
                    default -> array.removeAll();
                }
            } else if (target instanceof ObjectNode object) {
                List<String> names = new ArrayList<>(object.propertyNames());
                String name = names.isEmpty() ? "tokens" : data.pickValue(names);
                switch (kind) {
                    case 4 -> object.remove(name);
                    case 5 -> object.set(data.pickValue(FIELDS), JSON.readTree(leafValue(data)));
                    case 6 -> {
                        JsonNode moved = object.remove(name);
                        if (moved != null) {
                            object.set(data.pickValue(FIELDS), moved);
                        }
                    }
                    default -> object.set(name, JSON.nullNode());
                }
            }
        }
        return JSON.writeValueAsString(tree);
    }

    /** 4 in 10 a small integer (a token id, a flag's wrong type), 3 a feature, 2 any number, 1 any string. */
    private static String leafValue(FuzzedDataProvider data) {
        int pick = data.consumeInt(0, 9);
        if (pick < 4) {
            return String.valueOf(data.consumeInt(-2, 12));
        }
        if (pick < 7) {
            return String.valueOf(data.consumeRegularFloat(-3, 3));
        }
        return pick < 9 ? number(data) : quote(string(data, 12));
    }

    private static void replaceLeaf(JsonNode parent, FuzzedDataProvider data, JsonNode value) {
        if (parent instanceof ArrayNode array) {
            List<Integer> leaves = new ArrayList<>();
            for (int i = 0; i < array.size(); i++) {
                if (!array.get(i).isContainer()) {
                    leaves.add(i);
                }
            }
            array.set(data.pickValue(leaves), value);
        } else if (parent instanceof ObjectNode object) {
            List<String> leaves = object.propertyNames().stream().filter(n -> !object.get(n).isContainer()).toList();
            object.set(data.pickValue(leaves), value);
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

    /**
     * A JSON object of up to four fields, the contract's names and others, holding numbers (huge, tiny, negative
     * zero), strings (any UTF-16 unit: lone surrogates, control characters), booleans, null, arrays of numbers shaped
     * like tokens [B][T] or inputs [B][T][E], and arrays and objects nested up to four levels, each level possibly
     * 1 to 5000 levels deep.
     */
    static String randomJson(FuzzedDataProvider data) {
        int fields = data.consumeInt(0, 4);
        List<String> entries = new ArrayList<>();
        for (int f = 0; f < fields; f++) {
            String name = data.consumeBoolean() ? data.pickValue(RANDOM_FIELDS) : string(data, 8);
            String value = data.consumeBoolean() ? value(data, data.consumeInt(0, 4)) : numberArrays(data);
            entries.add(quote(name) + ": " + value);
        }
        return "{" + String.join(", ", entries) + "}";
    }

    private static String value(FuzzedDataProvider data, int levels) {
        if (levels == 0) {
            return scalar(data);
        }
        List<String> items = new ArrayList<>();
        switch (data.consumeInt(0, 2)) {
            case 0 -> {
                int n = data.consumeInt(0, 4);
                for (int i = 0; i < n; i++) {
                    items.add(value(data, levels - 1));
                }
                return "[" + String.join(", ", items) + "]";
            }
            case 1 -> {
                int n = data.consumeInt(0, 3);
                for (int i = 0; i < n; i++) {
                    items.add(quote(string(data, 6)) + ": " + value(data, levels - 1));
                }
                return "{" + String.join(", ", items) + "}";
            }
            default -> {
                int depth = data.consumeInt(1, 5000);
                boolean array = data.consumeBoolean();
                String inner = value(data, levels - 1);
                return array ? "[".repeat(depth) + inner + "]".repeat(depth)
                        : "{\"a\": ".repeat(depth) + inner + "}".repeat(depth);
            }
        }
    }

    private static String scalar(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 2)) {
            case 0 -> number(data);
            case 1 -> quote(string(data, 12));
            default -> data.pickValue(List.of("true", "false", "null"));
        };
    }

    private static String number(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 3)) {
            case 0 -> String.valueOf(data.consumeInt(-20, 20));
            case 1 -> String.valueOf(data.consumeLong());
            case 2 -> String.valueOf(data.consumeRegularDouble());
            default -> data.pickValue(SPECIAL_NUMBERS);
        };
    }

    private static String numberArrays(FuzzedDataProvider data) {
        int matrices = data.consumeBoolean() ? -1 : data.consumeInt(0, 3);
        if (matrices < 0) {
            return matrix(data);
        }
        List<String> out = new ArrayList<>();
        for (int m = 0; m < matrices; m++) {
            out.add(matrix(data));
        }
        return "[" + String.join(", ", out) + "]";
    }

    private static String matrix(FuzzedDataProvider data) {
        int rows = data.consumeInt(0, 4);
        List<String> out = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            int n = data.consumeInt(0, 5);
            List<String> row = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                row.add(number(data));
            }
            out.add("[" + String.join(", ", row) + "]");
        }
        return "[" + String.join(", ", out) + "]";
    }

    /** Up to {@code maxLength} UTF-16 units, any of them, lone surrogates included. */
    private static String string(FuzzedDataProvider data, int maxLength) {
        int length = data.consumeInt(0, maxLength);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(data.consumeChar());
        }
        return text.toString();
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

    private static JsonNode parseOrNull(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static byte[] replace(byte[] body, int at, int remove, byte[] insert) {
        return concat(Arrays.copyOfRange(body, 0, at), insert,
                Arrays.copyOfRange(body, Math.min(body.length, at + remove), body.length));
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
