package dev.lstmserve.web;

import java.io.IOException;
import java.util.Set;
import java.util.stream.Collectors;

import dev.lstmserve.ops.LstmMetrics;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Times every request to the API ({@code /lstm/**}, {@code /parity}) into {@code lstm_request_seconds}, and counts the
 * refusals of compute requests (POSTs under {@code /lstm/}, so every compute endpoint, present and future) by reason.
 * Runs outside {@link RequestBodyLimitFilter}, so its 413s are counted too.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
class RequestMetricsFilter extends OncePerRequestFilter {

    private final LstmMetrics metrics;
    private final ObjectProvider<RequestMappingHandlerMapping> mappings;
    private volatile Set<String> endpoints;

    RequestMetricsFilter(LstmMetrics metrics,
                         @Qualifier("requestMappingHandlerMapping")
                         ObjectProvider<RequestMappingHandlerMapping> mappings) {
        this.metrics = metrics;
        this.mappings = mappings;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return !(path.startsWith("/lstm/") || path.equals("/parity"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        boolean compute = "POST".equals(request.getMethod()) && request.getRequestURI().startsWith("/lstm/");
        if (compute) {
            metrics.computeRequestStarted();
        }
        long start = System.nanoTime();
        int status = 500;
        try {
            chain.doFilter(request, response);
            status = response.getStatus();
        } finally {
            metrics.requestCompleted(endpoint(request), request.getMethod(), status, System.nanoTime() - start,
                    compute);
        }
    }

    /**
     * The endpoint's path pattern, or {@code none}: never the raw path of an unknown URI, which a client could vary
     * without end. A request refused before Spring MVC matched it (a 413 of the body limit) is named by its path when
     * that is an endpoint's.
     */
    private String endpoint(HttpServletRequest request) {
        Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
        if (pattern instanceof String matched && !matched.equals("/**")) {
            return matched;
        }
        String path = request.getRequestURI();
        return endpoints().contains(path) ? path : "none";
    }

    private Set<String> endpoints() {
        Set<String> known = endpoints;
        if (known == null) {
            RequestMappingHandlerMapping mapping = mappings.getIfAvailable();
            known = mapping == null ? Set.of() : mapping.getHandlerMethods().keySet().stream()
                    .flatMap(info -> info.getPatternValues().stream())
                    .collect(Collectors.toUnmodifiableSet());
            endpoints = known;
        }
        return known;
    }
}
