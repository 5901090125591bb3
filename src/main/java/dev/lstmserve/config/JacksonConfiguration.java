package dev.lstmserve.config;

import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.type.LogicalType;

/** Strict request JSON beyond what {@code spring.jackson.*} properties can say, and fast number conversion. */
@Configuration(proxyBeanMethods = false)
class JacksonConfiguration {

    /** {@code "text": [5]} is a mistake, not the word "5": a number or boolean never becomes a string. */
    @Bean
    JsonMapperBuilderCustomizer noScalarToStringCoercion() {
        return builder -> builder.withCoercionConfig(LogicalType.Textual, config -> config
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
    }

    /**
     * Numbers are most of a response's bytes ({@code [B][T][H]} float32 outputs). Jackson's own Schubfach writer
     * (Raffaello Giulietti's algorithm, the one Java 19+ uses in {@code Float.toString}) prints the shortest decimal
     * that reads back to the same float32, several times faster than Java 17's {@code Float.toString}, which is not
     * always the shortest. Its FastDoubleParser reads numbers correctly rounded, like {@code Double.parseDouble},
     * so inputs keep their bits.
     */
    @Bean
    JsonMapperBuilderCustomizer fastNumbers() {
        return builder -> builder.enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER);
    }

    /**
     * {@code {"tokens": [[1, 2]], "tokens": [[3]]}} is a mistake, not a request for {@code [[3]]}: a field given twice
     * is refused (400 naming it) instead of the last one silently winning, as unknown fields are refused.
     */
    @Bean
    JsonMapperBuilderCustomizer noDuplicateFields() {
        return builder -> builder.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
    }
}
