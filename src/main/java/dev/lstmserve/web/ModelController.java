package dev.lstmserve.web;

import dev.lstmserve.inference.LstmService;
import dev.lstmserve.inference.ModelDescription;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /lstm/model}: what is being served. */
@RestController
class ModelController {

    private final LstmService service;

    ModelController(LstmService service) {
        this.service = service;
    }

    @GetMapping(path = "/lstm/model", produces = MediaType.APPLICATION_JSON_VALUE)
    ModelDescription model() {
        return service.describe();
    }
}
