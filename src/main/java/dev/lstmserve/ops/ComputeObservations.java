package dev.lstmserve.ops;

import io.micrometer.observation.ObservationPredicate;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.observation.ServerRequestObservationContext;

/**
 * Compute requests (POSTs under {@code /lstm/}) are timed once, by {@code lstm_request_seconds{endpoint, method,
 * status}} ({@link LstmMetrics#REQUEST}), not also by Spring's {@code http_server_requests_seconds}: that observation
 * (its context, key values and handlers) cost about a tenth of a small request's CPU time under load
 * (docs/PERFORMANCE.md, "Through HTTP"). Every other request keeps Spring's observation.
 */
@Configuration(proxyBeanMethods = false)
class ComputeObservations {

    @Bean
    ObservationPredicate computeRequestsTimedByLstmMetrics() {
        return (name, context) -> !(context instanceof ServerRequestObservationContext server
                && "POST".equals(server.getCarrier().getMethod())
                && server.getCarrier().getRequestURI().startsWith("/lstm/"));
    }
}
