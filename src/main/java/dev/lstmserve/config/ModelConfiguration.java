package dev.lstmserve.config;

import java.nio.file.Path;

import dev.lstmserve.model.LstmModel;
import dev.lstmserve.model.ModelLoader;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Loads the served model once at start-up; a model that cannot be read stops start-up. */
@Configuration(proxyBeanMethods = false)
class ModelConfiguration {

    @Bean
    LstmModel servedModel(LstmProperties properties) {
        String path = properties.model().path().strip();
        return path.isEmpty() ? ModelLoader.loadDefault() : ModelLoader.load(Path.of(path));
    }
}
