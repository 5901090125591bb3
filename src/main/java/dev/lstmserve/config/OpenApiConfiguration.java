package dev.lstmserve.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI document at {@code /v3/api-docs}, named like the JSON the service really reads and writes. */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    /** springdoc reads schemas through swagger-core's own (Jackson 2) mapper: give it our snake_case names too. */
    @Bean
    ModelResolver snakeCaseModelResolver() {
        return new ModelResolver(Json.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
    }

    @Bean
    OpenAPI lstmServeOpenApi() {
        return new OpenAPI().info(new Info()
                .title("lstm-serve")
                .version("1")
                .description("Serves a trained Keras LSTM model with a JVM engine whose numbers equal Keras' "
                        + "(rtol 1e-5, atol 1e-6), checked at start-up and on demand at GET /parity. Errors are "
                        + "RFC 9457 application/problem+json."));
    }
}
