package dev.lstmserve.web;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fast request reader against Jackson's data binding with the application's mapper: on every body, it either
 * gives the very same request (every array element to the bit) or leaves the body to Jackson; it never accepts a body
 * Jackson refuses. Bodies: the fuzzing seeds, valid requests of random shapes and numbers, and those requests with one
 * token changed (nulls, strings for numbers, floats for ints, duplicates, unknown fields, trailing content).
 */
@ServingWebMvcTest
class ComputeRequestConverterTests {

    private static final Path SEEDS = Path.of("src/test/resources/fuzz/seeds");

    @Autowired
    private JsonMapper json;

    @Autowired
    private ComputeRequestConverter converter;

    @Autowired
    private RequestMappingHandlerAdapter adapter;

    @Test
    void readsRequestsBeforeSpringsJacksonConverter() {
        List<HttpMessageConverter<?>> converters = adapter.getMessageConverters();
        int fast = converters.indexOf(converter);
        int jackson = -1;
        for (int i = 0; i < converters.size(); i++) {
            if (converters.get(i) instanceof JacksonJsonHttpMessageConverter) {
                jackson = i;
                break;
            }
        }
        assertThat(fast).isNotNegative();
        assertThat(fast).isLessThan(jackson);
    }

    @Test
    void readsValidRequestsItselfAndExactlyAsJackson() {
        Random random = new Random(11);
        int fast = 0;
        for (int i = 0; i < 400; i++) {
            for (Class<?> type : List.of(ForwardRequest.class, PredictRequest.class)) {
                String body = validBody(random, type);
                Object expected = json.readValue(body.getBytes(StandardCharsets.UTF_8), type);
                Object actual = converter.readFast(type, body.getBytes(StandardCharsets.UTF_8));
                assertThat(actual).as(body).isNotNull();
                assertSameRequest(body, actual, expected);
                fast++;
            }
        }
        assertThat(fast).isEqualTo(800);
    }

    @Test
    void agreesWithJacksonOrLeavesTheBodyToIt() throws IOException {
        // As bytes, the way they arrive: a seed may hold invalid UTF-8 or a byte order mark.
        List<byte[]> bodies = new ArrayList<>();
        try (Stream<Path> files = Files.list(SEEDS)) {
            for (Path file : files.sorted().toList()) {
                bodies.add(Files.readAllBytes(file));
            }
        }
        Random random = new Random(12);
        for (int i = 0; i < 1500; i++) {
            bodies.add(mutate(random, validBody(random, random.nextBoolean() ? ForwardRequest.class
                    : PredictRequest.class)).getBytes(StandardCharsets.UTF_8));
        }
        int readFast = 0;
        int leftToJackson = 0;
        for (byte[] bytes : bodies) {
            String body = new String(bytes, StandardCharsets.UTF_8);
            for (Class<?> type : List.of(ForwardRequest.class, PredictRequest.class)) {
                Object actual = converter.readFast(type, bytes);
                Object expected;
                try {
                    expected = json.readValue(bytes, type);
                } catch (JacksonException e) {
                    assertThat(actual).as("Jackson refuses %s (%s)", body, e.getOriginalMessage()).isNull();
                    leftToJackson++;
                    continue;
                }
                if (actual == null) {
                    leftToJackson++;
                } else {
                    assertSameRequest(body, actual, expected);
                    readFast++;
                }
            }
        }
        assertThat(readFast).as("bodies the fast reader took").isGreaterThan(200);
        assertThat(leftToJackson).as("bodies left to Jackson").isGreaterThan(1000);
    }

    /** A request Jackson binds: one input kind, optional state and flags, numbers of every JSON spelling. */
    private static String validBody(Random random, Class<?> type) {
        StringBuilder body = new StringBuilder("{");
        List<String> fields = new ArrayList<>();
        int batch = 1 + random.nextInt(4);
        int steps = 1 + random.nextInt(5);
        switch (random.nextInt(3)) {
            case 0 -> fields.add("\"tokens\": " + nested(random, new int[] {batch, steps}, true));
            case 1 -> {
                StringBuilder text = new StringBuilder("[");
                for (int b = 0; b < batch; b++) {
                    text.append(b == 0 ? "" : ", ").append("\"the word \\u00e9\\\"").append(b).append("\"");
                }
                fields.add("\"text\": " + text.append("]"));
            }
            default -> fields.add("\"inputs\": " + nested(random, new int[] {batch, steps, 1 + random.nextInt(4)},
                    false));
        }
        if (random.nextBoolean()) {
            fields.add("\"initial_state\": " + state(random, batch));
        } else if (random.nextInt(4) == 0) {
            fields.add("\"initial_states\": [" + state(random, batch) + ", " + state(random, 1) + "]");
        }
        if (type == ForwardRequest.class) {
            if (random.nextBoolean()) {
                fields.add("\"return_sequences\": " + random.nextBoolean());
            }
            if (random.nextBoolean()) {
                fields.add("\"return_state\": " + random.nextBoolean());
            }
            if (random.nextInt(4) == 0) {
                fields.add("\"layer\": \"lstm\"");
            }
        } else if (random.nextBoolean()) {
            fields.add("\"top_k\": " + random.nextInt(5));
        }
        java.util.Collections.shuffle(fields, random);
        body.append(String.join(random.nextBoolean() ? ", " : ",\n ", fields));
        return body.append("}").toString();
    }

    private static String state(Random random, int batch) {
        int rows = random.nextBoolean() ? 1 : batch;
        int units = 1 + random.nextInt(3);
        String layer = random.nextInt(3) == 0 ? ", \"layer\": \"lstm\", \"direction\": \"forward\"" : "";
        return "{\"h\": " + nested(random, new int[] {rows, units}, false) + ", \"c\": "
                + nested(random, new int[] {rows, units}, false) + layer + "}";
    }

    private static String nested(Random random, int[] shape, boolean ints) {
        return nested(random, shape, 0, ints);
    }

    private static String nested(Random random, int[] shape, int axis, boolean ints) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < shape[axis]; i++) {
            s.append(i == 0 ? "" : ", ");
            s.append(axis == shape.length - 1 ? (ints ? String.valueOf(random.nextInt(20) - 3) : number(random))
                    : nested(random, shape, axis + 1, ints));
        }
        return s.append("]").toString();
    }

    /** Numbers as clients write them: plain, long, exponents, integers, extremes, float32 and float64 spellings. */
    private static String number(Random random) {
        return switch (random.nextInt(9)) {
            case 0 -> String.valueOf(random.nextInt(7) - 3);
            case 1 -> String.valueOf(random.nextFloat() * 2 - 1);
            case 2 -> String.valueOf(random.nextDouble() * 2 - 1);
            case 3 -> String.valueOf((float) (random.nextGaussian() * Math.pow(10, random.nextInt(76) - 40)));
            case 4 -> String.valueOf(random.nextGaussian() * Math.pow(10, random.nextInt(600) - 300));
            case 5 -> (random.nextBoolean() ? "-" : "") + "0." + "3".repeat(1 + random.nextInt(40)) + "e"
                    + (random.nextInt(90) - 45);
            case 6 -> String.valueOf(Float.intBitsToFloat(random.nextInt() & 0xbfffffff));
            case 7 -> "3.4028235e38";
            default -> "1E" + (random.nextInt(20) - 10);
        };
    }

    /** One change a client could make by mistake, or one a fuzzer would. */
    private static String mutate(Random random, String body) {
        String[] replacements = {"null", "\"7\"", "1.5", "7.0", "true", "{}", "[]", "[[]]", "2147483648", "1e400",
                "NaN", "-0", "\"\"", "[null]", "1e39"};
        int at = random.nextInt(body.length());
        return switch (random.nextInt(8)) {
            case 0, 1, 2 -> {
                // A value replaced: find the next number, array or literal at or after `at`.
                int start = at;
                while (start < body.length() && "-0123456789tfn[{\"".indexOf(body.charAt(start)) < 0) {
                    start++;
                }
                int end = start;
                while (end < body.length() && ",]}".indexOf(body.charAt(end)) < 0) {
                    end++;
                }
                yield body.substring(0, start) + replacements[random.nextInt(replacements.length)]
                        + body.substring(Math.min(end, body.length()));
            }
            case 3 -> body.replaceFirst("\\{", "{\"" + List.of("tokens", "foo", "return_state", "top_k", "layer",
                    "initial_state").get(random.nextInt(6)) + "\": " + replacements[random.nextInt(replacements.length)]
                    + ", ");
            case 4 -> body + List.of(" {}", " x", "]", " ", "\n").get(random.nextInt(5));
            case 5 -> body.substring(0, at);
            case 6 -> body.substring(0, at) + ",:[]{}\"".charAt(random.nextInt(7)) + body.substring(at);
            default -> body.replace("\"h\"", random.nextBoolean() ? "\"x\"" : "\"c\"");
        };
    }

    private static void assertSameRequest(String body, Object actual, Object expected) {
        assertThat(actual.getClass()).isEqualTo(expected.getClass());
        assertThat(deepString(actual)).as(body).isEqualTo(deepString(expected));
    }

    /** Every component down to each number's bits, so that 0.0 and -0.0 or two roundings differ. */
    private static String deepString(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof double[] doubles) {
            StringBuilder s = new StringBuilder("[");
            for (double d : doubles) {
                s.append(Long.toHexString(Double.doubleToRawLongBits(d))).append(',');
            }
            return s.append(']').toString();
        }
        if (value instanceof int[] ints) {
            return java.util.Arrays.toString(ints);
        }
        if (value instanceof Object[] array) {
            StringBuilder s = new StringBuilder(value.getClass().getSimpleName()).append('[');
            for (Object element : array) {
                s.append(deepString(element)).append(',');
            }
            return s.append(']').toString();
        }
        if (value instanceof List<?> list) {
            return "List" + deepString(list.toArray());
        }
        if (value.getClass().isRecord()) {
            StringBuilder s = new StringBuilder(value.getClass().getSimpleName()).append('{');
            for (RecordComponent component : value.getClass().getRecordComponents()) {
                try {
                    s.append(component.getName()).append('=')
                            .append(deepString(component.getAccessor().invoke(value))).append(';');
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
            }
            return s.append('}').toString();
        }
        return value.getClass().getSimpleName() + ":" + value;
    }
}
