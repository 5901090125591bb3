package dev.lstmserve.ops;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.lstmserve.inference.LstmService;
import dev.lstmserve.model.LstmModel;

import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/info}'s {@code model}: the served model's name, format and the Keras version recorded in it (the
 * build's version comes from Spring Boot's build-info). Not its path: that is the operator's business.
 */
@Component
class ModelInfoContributor implements InfoContributor {

    private final LstmService service;

    ModelInfoContributor(LstmService service) {
        this.service = service;
    }

    @Override
    public void contribute(Info.Builder builder) {
        LstmModel model = service.model();
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("name", model.name());
        info.put("format", model.format());
        info.put("keras_version", model.kerasVersion());
        builder.withDetail("model", info);
    }
}
