package dev.lstmserve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import com.code_intelligence.jazzer.agent.AgentInstaller;
import com.code_intelligence.jazzer.driver.FuzzedDataProviderImpl;
import dev.lstmserve.FuzzedBodies.Kind;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes the committed regression inputs of {@link FuzzedRequestTests}: a seeded run of {@link FuzzedBodies}, each
 * input the random bytes that made {@value FuzzedRequestTests#BODIES_PER_INPUT} bodies, trimmed to the bytes those
 * bodies used (Jazzer's provider takes every choice these make from the end of the input, so the unused bytes are at
 * the front). Decodes with Jazzer's own provider, as {@code ./mvnw verify} will, and checks that each trimmed input
 * gives the same bodies. Replaces {@code generated-*} files only; {@code crash-*} files Jazzer wrote stay.
 *
 * <pre>./mvnw -q -Pbench test-compile exec:exec -Dbench.main=dev.lstmserve.FuzzCorpus -Dbench.args=</pre>
 */
public final class FuzzCorpus {

    static final Path INPUTS = Path.of("src/test/resources/dev/lstmserve/FuzzedRequestTestsInputs");

    /** Inputs per target: with 16 bodies each, 1504 + 1504 + 1008 bodies in every {@code ./mvnw verify}. */
    private static final List<Target> TARGETS = List.of(
            new Target(Kind.MUTATED, "mutatedSeedsGetAnAnswerThatIsNot5xx", 94, 20260601L),
            new Target(Kind.TREE_MUTATED, "treeMutatedSeedsGetAnAnswerThatIsNot5xx", 94, 20260602L),
            new Target(Kind.RANDOM_JSON, "randomJsonGetsAnAnswerThatIsNot5xx", 63, 20260603L));

    private static final JsonMapper STRICT = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(100_000)
                    .maxNumberLength(100_000).build()).build()).build();

    record Target(Kind kind, String method, int inputs, long seed) {
    }

    private FuzzCorpus() {
    }

    public static void main(String[] args) throws IOException {
        // Puts Jazzer's bootstrap classes (which the provider needs) on the class path, as a fuzz test run does; no
        // instrumentation.
        AgentInstaller.install(false);
        FuzzedBodies bodies = FuzzedBodies.fromSeeds();
        for (Target target : TARGETS) {
            Path dir = Files.createDirectories(INPUTS.resolve(target.method()));
            try (Stream<Path> old = Files.list(dir)) {
                for (Path file : old.filter(f -> f.getFileName().toString().startsWith("generated-")).toList()) {
                    Files.delete(file);
                }
            }
            Random random = new Random(target.seed());
            long bytes = 0;
            List<byte[]> made = new ArrayList<>();
            for (int i = 0; i < target.inputs(); i++) {
                byte[] input = input(bodies, target.kind(), random, made);
                Files.write(dir.resolve(String.format("generated-%03d", i)), input);
                bytes += input.length;
            }
            System.out.printf("%s: %d inputs, %d bytes, %s%n", target.method(), target.inputs(), bytes,
                    describe(made));
        }
    }

    /** Random bytes that make a full input's bodies, trimmed to the bytes they used; adds the bodies to made. */
    private static byte[] input(FuzzedBodies bodies, Kind kind, Random random, List<byte[]> made) {
        for (int length = 1024; ; length *= 2) {
            byte[] raw = new byte[length];
            random.nextBytes(raw);
            List<byte[]> first = decode(bodies, kind, raw);
            if (first == null) {
                continue;
            }
            int unused = remainingAfter(bodies, kind, raw);
            byte[] trimmed = Arrays.copyOfRange(raw, unused, raw.length);
            List<byte[]> again = decode(bodies, kind, trimmed);
            if (again == null || again.size() != first.size()
                    || !Arrays.deepEquals(again.toArray(), first.toArray())) {
                throw new IllegalStateException("a trimmed input gave other bodies: do all choices come from the end?");
            }
            made.addAll(first);
            return trimmed;
        }
    }

    /** The bodies an input gives in {@link FuzzedRequestTests}, or null if it runs out of choices before the last. */
    private static List<byte[]> decode(FuzzedBodies bodies, Kind kind, byte[] input) {
        try (FuzzedDataProviderImpl data = FuzzedDataProviderImpl.withJavaData(input)) {
            List<byte[]> out = new ArrayList<>();
            for (int i = 0; i < FuzzedRequestTests.BODIES_PER_INPUT; i++) {
                if (data.remainingBytes() == 0) {
                    return null;
                }
                out.add(bodies.next(kind, data));
            }
            return out;
        }
    }

    private static int remainingAfter(FuzzedBodies bodies, Kind kind, byte[] input) {
        try (FuzzedDataProviderImpl data = FuzzedDataProviderImpl.withJavaData(input)) {
            for (int i = 0; i < FuzzedRequestTests.BODIES_PER_INPUT; i++) {
                bodies.next(kind, data);
            }
            return data.remainingBytes();
        }
    }

    /** How far the bodies reach: how many are JSON at all, the deepest nesting, the largest body. */
    private static String describe(List<byte[]> bodies) {
        int json = 0;
        int deepest = 0;
        int largest = 0;
        for (byte[] body : bodies) {
            try {
                STRICT.readTree(body);
                json++;
            } catch (RuntimeException e) {
                // Not JSON: the parser's refusal is what the service must answer with.
            }
            deepest = Math.max(deepest, nesting(body));
            largest = Math.max(largest, body.length);
        }
        return String.format("%d bodies, %d of them JSON, deepest nesting %d, largest %d bytes", bodies.size(), json,
                deepest, largest);
    }

    private static int nesting(byte[] body) {
        int depth = 0;
        int deepest = 0;
        for (byte b : body) {
            if (b == '[' || b == '{') {
                deepest = Math.max(deepest, ++depth);
            } else if (b == ']' || b == '}') {
                depth--;
            }
        }
        return deepest;
    }
}
