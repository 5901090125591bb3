package dev.lstmserve.web;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import dev.lstmserve.inference.PredictResult;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The response writer gives the very bytes the application's data binding gives, for answers of every shape: outputs
 * {@code [B][T][H]} and {@code [B][H]}, with and without a state, several states with and without a direction,
 * predictions with and without {@code top_k} (with and without words), and floats over the whole float32 range.
 */
@ServingWebMvcTest
class ComputeResponseConverterTests {

    @Autowired
    private JsonMapper json;

    @Autowired
    private ComputeResponseConverter converter;

    @Autowired
    private RequestMappingHandlerAdapter adapter;

    @Test
    void writesAnswersBeforeSpringsJacksonConverter() {
        List<HttpMessageConverter<?>> converters = adapter.getMessageConverters();
        int jackson = -1;
        for (int i = 0; i < converters.size() && jackson < 0; i++) {
            if (converters.get(i) instanceof JacksonJsonHttpMessageConverter) {
                jackson = i;
            }
        }
        assertThat(converters.indexOf(converter)).isNotNegative().isLessThan(jackson);
    }

    @Test
    void writesTheBytesOfDataBinding() throws Exception {
        Random random = new Random(21);
        for (int i = 0; i < 300; i++) {
            int batch = 1 + random.nextInt(3);
            int steps = 1 + random.nextInt(4);
            int units = 1 + random.nextInt(3);
            Object outputs = random.nextBoolean() ? floats3(random, batch, steps, units) : floats2(random, batch, units);
            Object response = switch (random.nextInt(4)) {
                case 0 -> new ForwardResponse((Object[]) outputs, null, null, "m");
                case 1 -> new ForwardResponse((Object[]) outputs, new ForwardResponse.FloatState(
                        floats2(random, batch, units), floats2(random, batch, units)), null, "seed-toy");
                case 2 -> new ForwardResponse((Object[]) outputs, null, List.of(
                        new ForwardResponse.LayerState("lstm", null, floats2(random, batch, units),
                                floats2(random, batch, units)),
                        new ForwardResponse.LayerState("bidirectional", "backward", floats2(random, batch, units),
                                floats2(random, batch, units))), "stack \"ü\"");
                default -> new PredictResponse((Object[]) outputs, random.nextBoolean() ? null : topK(random, batch),
                        "predict");
            };

            assertThat(written(response)).isEqualTo(json.writeValueAsString(response));
        }
    }

    private String written(Object response) throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        HttpHeaders headers = new HttpHeaders();
        converter.write(response, MediaType.APPLICATION_JSON, new HttpOutputMessage() {
            @Override
            public java.io.OutputStream getBody() {
                return body;
            }

            @Override
            public HttpHeaders getHeaders() {
                return headers;
            }
        });
        assertThat(headers.getContentType()).isEqualTo(MediaType.APPLICATION_JSON);
        return body.toString(StandardCharsets.UTF_8);
    }

    private static List<List<PredictResult.TopClass>> topK(Random random, int batch) {
        List<List<PredictResult.TopClass>> rows = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            rows.add(List.of(new PredictResult.TopClass(random.nextInt(9), random.nextFloat(),
                    random.nextBoolean() ? null : "word"), new PredictResult.TopClass(3, 0.25f, "<_unk>")));
        }
        return rows;
    }

    private static float[][][] floats3(Random random, int batch, int steps, int units) {
        float[][][] values = new float[batch][][];
        for (int b = 0; b < batch; b++) {
            values[b] = floats2(random, steps, units);
        }
        return values;
    }

    private static float[][] floats2(Random random, int rows, int columns) {
        float[][] values = new float[rows][columns];
        for (float[] row : values) {
            for (int j = 0; j < columns; j++) {
                float v;
                do {
                    v = random.nextBoolean() ? random.nextFloat() * 2 - 1 : Float.intBitsToFloat(random.nextInt());
                } while (!Float.isFinite(v));
                row[j] = v;
            }
        }
        return values;
    }
}
