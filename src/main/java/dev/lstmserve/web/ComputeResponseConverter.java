package dev.lstmserve.web;

import java.io.IOException;
import java.util.List;

import org.springframework.http.HttpInputMessage;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.stereotype.Component;
import org.springframework.util.StreamUtils;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes {@code POST /lstm/forward} and {@code /lstm/predict} answers with a {@link JsonGenerator} of the application's
 * {@link JsonMapper}: the float32 arrays number by number ({@code writeNumber(float)}, the mapper's shortest-decimal
 * Schubfach writer, no boxing), the rest field by field, in the records' order and without null fields, as the
 * mapper's data binding writes them ({@code ComputeResponseConverterTests} compares the two). It skips what data
 * binding costs per response on small bodies: an object writer and serialization context per call, bean property
 * writers, a serializer lookup per nested array.
 */
@Component
class ComputeResponseConverter implements HttpMessageConverter<Object> {

    private final JsonMapper json;

    ComputeResponseConverter(JsonMapper json) {
        this.json = json;
    }

    @Override
    public boolean canRead(Class<?> type, MediaType mediaType) {
        return false;
    }

    @Override
    public boolean canWrite(Class<?> type, MediaType mediaType) {
        return (type == ForwardResponse.class || type == PredictResponse.class)
                && (mediaType == null || mediaType.isCompatibleWith(MediaType.APPLICATION_JSON));
    }

    @Override
    public List<MediaType> getSupportedMediaTypes() {
        return List.of(MediaType.APPLICATION_JSON);
    }

    @Override
    public Object read(Class<?> type, HttpInputMessage message) {
        throw new UnsupportedOperationException("writes responses only");
    }

    @Override
    public void write(Object value, MediaType contentType, HttpOutputMessage message) throws IOException {
        message.getHeaders().setContentType(contentType == null || !contentType.isConcrete()
                ? MediaType.APPLICATION_JSON : contentType);
        try (JsonGenerator g = json.createGenerator(StreamUtils.nonClosing(message.getBody()))) {
            write(value, g);
        }
    }

    /** {@code value} as JSON: what the mapper's data binding writes for it. */
    void write(Object value, JsonGenerator g) {
        g.writeStartObject();
        if (value instanceof ForwardResponse forward) {
            g.writeName("outputs");
            array(forward.outputs(), g);
            if (forward.state() != null) {
                g.writeName("state");
                g.writeStartObject();
                state(forward.state().h(), forward.state().c(), g);
                g.writeEndObject();
            }
            if (forward.states() != null) {
                g.writeName("states");
                g.writeStartArray();
                for (ForwardResponse.LayerState state : forward.states()) {
                    g.writeStartObject();
                    if (state.layer() != null) {
                        g.writeStringProperty("layer", state.layer());
                    }
                    if (state.direction() != null) {
                        g.writeStringProperty("direction", state.direction());
                    }
                    state(state.h(), state.c(), g);
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            model(forward.model(), g);
        } else {
            PredictResponse predict = (PredictResponse) value;
            g.writeName("outputs");
            array(predict.outputs(), g);
            if (predict.topK() != null) {
                g.writeName("top_k");
                g.writePOJO(predict.topK());
            }
            model(predict.model(), g);
        }
        g.writeEndObject();
    }

    private static void state(float[][] h, float[][] c, JsonGenerator g) {
        if (h != null) {
            g.writeName("h");
            array(h, g);
        }
        if (c != null) {
            g.writeName("c");
            array(c, g);
        }
    }

    private static void model(String model, JsonGenerator g) {
        if (model != null) {
            g.writeStringProperty("model", model);
        }
    }

    /** Nested arrays down to {@code float[]} rows. */
    private static void array(Object value, JsonGenerator g) {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof float[] row) {
            g.writeStartArray(row, row.length);
            for (float v : row) {
                g.writeNumber(v);
            }
            g.writeEndArray();
        } else if (value instanceof Object[] rows) {
            g.writeStartArray(rows, rows.length);
            for (Object row : rows) {
                array(row, g);
            }
            g.writeEndArray();
        } else {
            g.writePOJO(value);
        }
    }
}
