package dev.lstmserve.web;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.springframework.core.ResolvableType;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads {@code POST /lstm/forward} and {@code /lstm/predict} bodies straight into the request records' primitive
 * arrays with Jackson's streaming parser: no per-number boxing, no intermediate lists of wrappers, no bean
 * introspection per request.
 *
 * <p>It takes a body only as it is: numbers where numbers belong ({@code int} for token ids and {@code top_k}),
 * strings and booleans where they belong, every field known and given once, one JSON object and nothing after it.
 * Anything else (a null, a coercion Jackson would have to decide, an unknown or repeated field, malformed JSON, a
 * charset other than UTF-8) is read again, from the same bytes, by Spring's Jackson converter with the application's
 * {@link JsonMapper}: so every value it accepts is bound exactly as before, and every refusal is Jackson's own
 * exception with its field path ({@code inputs[1][3]}, {@code initial_state.h[0][1]}), which
 * {@code ProblemDetailsAdvice} turns into the same problem as ever. A number is read the way Jackson's
 * {@code double[]} and {@code int[]} deserializers read it ({@code getDoubleValue()}, {@code getIntValue()}), so the
 * two readers agree to the bit ({@code ComputeRequestConverterTests} checks that on the fuzzing seeds and on random
 * bodies).
 */
@Component
class ComputeRequestConverter implements HttpMessageConverter<Object> {

    private final JsonMapper json;
    private final JacksonJsonHttpMessageConverter jackson;

    ComputeRequestConverter(JsonMapper json) {
        this.json = json;
        this.jackson = new JacksonJsonHttpMessageConverter(json);
    }

    @Override
    public boolean canRead(Class<?> type, MediaType mediaType) {
        return (type == ForwardRequest.class || type == PredictRequest.class)
                && (mediaType == null || MediaType.APPLICATION_JSON.isCompatibleWith(mediaType));
    }

    @Override
    public boolean canWrite(Class<?> type, MediaType mediaType) {
        return false;
    }

    @Override
    public List<MediaType> getSupportedMediaTypes() {
        return List.of(MediaType.APPLICATION_JSON);
    }

    @Override
    public Object read(Class<?> type, HttpInputMessage message) throws IOException, HttpMessageNotReadableException {
        byte[] body = message.getBody().readAllBytes();
        Charset charset = message.getHeaders().getContentType() == null ? null
                : message.getHeaders().getContentType().getCharset();
        if (charset == null || charset.equals(StandardCharsets.UTF_8)) {
            Object request = readFast(type, body);
            if (request != null) {
                return request;
            }
        }
        return jackson.read(ResolvableType.forClass(type), new Replay(message.getHeaders(), body), null);
    }

    @Override
    public void write(Object value, MediaType contentType, HttpOutputMessage message) {
        throw new UnsupportedOperationException("reads requests only");
    }

    /** The request, or {@code null} when Jackson's data binding has to decide (see the class comment). */
    Object readFast(Class<?> type, byte[] body) {
        try (JsonParser p = json.createParser(body)) {
            Object request = type == ForwardRequest.class ? forward(p) : predict(p);
            return request != null && p.nextToken() == null ? request : null;
        } catch (JacksonException | Bail e) {
            return null;
        }
    }

    private ForwardRequest forward(JsonParser p) {
        expect(p.nextToken(), JsonToken.START_OBJECT);
        Fields f = new Fields();
        Boolean returnSequences = null;
        Boolean returnState = null;
        String layer = null;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            expect(t, JsonToken.PROPERTY_NAME);
            String name = p.currentName();
            if (!f.common(name, p)) {
                switch (name) {
                    case "return_sequences" -> returnSequences = f.once(4, bool(p.nextToken()));
                    case "return_state" -> returnState = f.once(5, bool(p.nextToken()));
                    case "layer" -> layer = f.once(6, string(p.nextToken(), p));
                    default -> throw Bail.INSTANCE;
                }
            }
        }
        return new ForwardRequest(f.tokens, f.text, f.inputs, f.initialState, f.initialStates, returnSequences,
                returnState, layer);
    }

    private PredictRequest predict(JsonParser p) {
        expect(p.nextToken(), JsonToken.START_OBJECT);
        Fields f = new Fields();
        Integer topK = null;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            expect(t, JsonToken.PROPERTY_NAME);
            String name = p.currentName();
            if (!f.common(name, p)) {
                if (!name.equals("top_k")) {
                    throw Bail.INSTANCE;
                }
                topK = f.once(4, integer(p.nextToken(), p));
            }
        }
        return new PredictRequest(f.tokens, f.text, f.inputs, f.initialState, f.initialStates, topK);
    }

    /** The fields both endpoints take; {@code seen} bits 0-3, 7 (the endpoint's own fields use 4-6). */
    private static final class Fields {

        private int seen;
        int[][] tokens;
        String[] text;
        double[][][] inputs;
        StateBody initialState;
        List<StateBody> initialStates;

        <T> T once(int bit, T value) {
            if ((seen & (1 << bit)) != 0) {
                throw Bail.INSTANCE;
            }
            seen |= 1 << bit;
            return value;
        }

        boolean common(String name, JsonParser p) {
            switch (name) {
                case "tokens" -> tokens = once(0, ints2(p));
                case "text" -> text = once(1, strings(p));
                case "inputs" -> inputs = once(2, doubles3(p));
                case "initial_state" -> initialState = once(3, state(p.nextToken(), p));
                case "initial_states" -> initialStates = once(7, states(p));
                default -> {
                    return false;
                }
            }
            return true;
        }
    }

    private static int[][] ints2(JsonParser p) {
        expect(p.nextToken(), JsonToken.START_ARRAY);
        List<int[]> rows = new ArrayList<>();
        int[] row = new int[16];
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            expect(t, JsonToken.START_ARRAY);
            int n = 0;
            for (JsonToken v = p.nextToken(); v != JsonToken.END_ARRAY; v = p.nextToken()) {
                if (n == row.length) {
                    row = Arrays.copyOf(row, 2 * n);
                }
                row[n++] = integer(v, p);
            }
            rows.add(Arrays.copyOf(row, n));
        }
        return rows.toArray(new int[0][]);
    }

    private static double[][][] doubles3(JsonParser p) {
        expect(p.nextToken(), JsonToken.START_ARRAY);
        List<double[][]> windows = new ArrayList<>();
        Scratch scratch = new Scratch();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            windows.add(doubles2(t, p, scratch));
        }
        return windows.toArray(new double[0][][]);
    }

    private static double[][] doubles2(JsonToken start, JsonParser p, Scratch scratch) {
        expect(start, JsonToken.START_ARRAY);
        List<double[]> rows = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            expect(t, JsonToken.START_ARRAY);
            int n = 0;
            double[] row = scratch.values;
            for (JsonToken v = p.nextToken(); v != JsonToken.END_ARRAY; v = p.nextToken()) {
                if (v != JsonToken.VALUE_NUMBER_FLOAT && v != JsonToken.VALUE_NUMBER_INT) {
                    throw Bail.INSTANCE;
                }
                if (n == row.length) {
                    row = scratch.values = Arrays.copyOf(row, 2 * n);
                }
                row[n++] = p.getDoubleValue();
            }
            rows.add(Arrays.copyOf(row, n));
        }
        return rows.toArray(new double[0][]);
    }

    /** The row being read, reused from row to row. */
    private static final class Scratch {
        double[] values = new double[256];
    }

    private static String[] strings(JsonParser p) {
        expect(p.nextToken(), JsonToken.START_ARRAY);
        List<String> values = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            values.add(string(t, p));
        }
        return values.toArray(new String[0]);
    }

    private static StateBody state(JsonToken start, JsonParser p) {
        expect(start, JsonToken.START_OBJECT);
        double[][] h = null;
        double[][] c = null;
        String layer = null;
        String direction = null;
        int seen = 0;
        Scratch scratch = new Scratch();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            expect(t, JsonToken.PROPERTY_NAME);
            int bit;
            switch (p.currentName()) {
                case "h" -> {
                    bit = 1;
                    h = doubles2(p.nextToken(), p, scratch);
                }
                case "c" -> {
                    bit = 2;
                    c = doubles2(p.nextToken(), p, scratch);
                }
                case "layer" -> {
                    bit = 4;
                    layer = string(p.nextToken(), p);
                }
                case "direction" -> {
                    bit = 8;
                    direction = string(p.nextToken(), p);
                }
                default -> throw Bail.INSTANCE;
            }
            if ((seen & bit) != 0) {
                throw Bail.INSTANCE;
            }
            seen |= bit;
        }
        return new StateBody(h, c, layer, direction);
    }

    private static List<StateBody> states(JsonParser p) {
        expect(p.nextToken(), JsonToken.START_ARRAY);
        List<StateBody> states = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            states.add(state(t, p));
        }
        return states;
    }

    /** A JSON integer that fits an {@code int}; a float, a larger integer or anything else is Jackson's to refuse. */
    private static int integer(JsonToken t, JsonParser p) {
        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
            throw Bail.INSTANCE;
        }
        return p.getIntValue();
    }

    private static Boolean bool(JsonToken t) {
        if (t == JsonToken.VALUE_TRUE) {
            return Boolean.TRUE;
        }
        if (t == JsonToken.VALUE_FALSE) {
            return Boolean.FALSE;
        }
        throw Bail.INSTANCE;
    }

    private static String string(JsonToken t, JsonParser p) {
        if (t != JsonToken.VALUE_STRING) {
            throw Bail.INSTANCE;
        }
        return p.getString();
    }

    private static void expect(JsonToken actual, JsonToken expected) {
        if (actual != expected) {
            throw Bail.INSTANCE;
        }
    }

    /** Leaves the fast reader; thrown often on bad input, so without a stack trace. */
    private static final class Bail extends RuntimeException {

        static final Bail INSTANCE = new Bail();

        private Bail() {
            super(null, null, false, false);
        }
    }

    /** The body already read, for Spring's Jackson converter. */
    private record Replay(HttpHeaders headers, byte[] body) implements HttpInputMessage {

        @Override
        public InputStream getBody() {
            return new ByteArrayInputStream(body);
        }

        @Override
        public HttpHeaders getHeaders() {
            return headers;
        }
    }
}
