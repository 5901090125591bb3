package dev.lstmserve.config;

import java.nio.file.Path;

import dev.lstmserve.model.LstmModel;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Runs {@link ModelExport} after start-up (the model loaded and its parity checked) when {@code lstm.export} is set. */
@Configuration(proxyBeanMethods = false)
class ModelExportConfiguration {

    @Bean
    @ConditionalOnExpression("!'${lstm.export:}'.isBlank()")
    ApplicationRunner modelExport(LstmModel servedModel, LstmProperties properties) {
        return args -> ModelExport.export(servedModel, Path.of(properties.export().strip()), properties.parity());
    }
}
