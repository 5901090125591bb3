package dev.lstmserve.config;

import java.nio.file.Path;

import dev.lstmserve.model.LstmModel;
import dev.lstmserve.model.ModelLoadException;
import dev.lstmserve.model.ModelLoader;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Loads the served model once at start-up; a model that cannot be read stops start-up. */
@Configuration(proxyBeanMethods = false)
class ModelConfiguration {

    @Bean
    LstmModel servedModel(LstmProperties properties) {
        String path = properties.model().path().strip();
        String config = properties.model().configPath().strip();
        if (path.isEmpty()) {
            if (!properties.model().vocabularyPath().isBlank()) {
                throw new ModelLoadException(properties.model().vocabularyPath(), "lstm.model.vocabulary-path is set"
                        + " but lstm.model.path is empty; the embedded seed-toy model has its own vocabulary");
            }
            if (!config.isEmpty()) {
                throw new ModelLoadException(config, "lstm.model.config-path is set but lstm.model.path is empty;"
                        + " set lstm.model.path to the weights .h5 this config belongs to");
            }
            return ModelLoader.loadDefault();
        }
        LstmModel model = ModelLoader.load(Path.of(path), config.isEmpty() ? null : Path.of(config));
        String vocabulary = properties.model().vocabularyPath().strip();
        return vocabulary.isEmpty() ? model : ModelLoader.withVocabulary(model, Path.of(vocabulary));
    }
}
