package dev.lstmserve.echo;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * What a new user would write to see how fast Spring Boot answers a JSON POST: the body parsed by Spring's Jackson
 * and written back. {@code POST /lstm/forward} answers the same request with the same machinery plus the model, so
 * the echo's requests per second are the floor lstm-serve is measured against (bench/http-load.sh).
 */
@SpringBootApplication
@RestController
public class EchoApplication {

    public static void main(String[] args) {
        SpringApplication.run(EchoApplication.class, args);
    }

    @PostMapping(path = "/echo", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    JsonNode echo(@RequestBody JsonNode body) {
        return body;
    }
}
