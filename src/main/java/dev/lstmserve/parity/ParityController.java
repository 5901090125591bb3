package dev.lstmserve.parity;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /parity}: runs the Keras-parity check now; 200 when every case passes, 503 otherwise. */
@RestController
class ParityController {

    private final ParityService parity;

    ParityController(ParityService parity) {
        this.parity = parity;
    }

    @GetMapping(path = "/parity", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<ParityReport> parity() {
        ParityReport report = parity.runNow();
        return ResponseEntity.status(report.passed() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(report);
    }
}
