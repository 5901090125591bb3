package dev.lstmserve.web;

import java.net.URI;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Errors that never reach a controller (the servlet container's own, or an exception outside Spring MVC) as
 * problem+json too, in place of Boot's default error body. Never shows the exception.
 */
@RestController
class ProblemErrorController implements ErrorController {

    @RequestMapping(path = "${server.error.path:/error}", produces = {MediaType.APPLICATION_PROBLEM_JSON_VALUE,
            MediaType.APPLICATION_JSON_VALUE})
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        HttpStatus status = code instanceof Integer value ? HttpStatus.resolve(value) : null;
        ProblemDetail problem;
        if (status == null || uri == null) {
            // Asked for directly: there is no such endpoint.
            problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "no endpoint at "
                    + request.getMethod() + " " + request.getRequestURI() + "; the API is described at /v3/api-docs");
            problem.setTitle("Not Found");
            problem.setInstance(URI.create(request.getRequestURI()));
        } else {
            problem = ProblemDetail.forStatusAndDetail(status, status.is5xxServerError()
                    ? "the request could not be processed; the service log has the cause"
                    : "the request to " + uri + " was refused: " + status.getReasonPhrase());
            problem.setTitle(status.getReasonPhrase());
            problem.setInstance(URI.create(String.valueOf(uri)));
        }
        return ResponseEntity.status(problem.getStatus()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
