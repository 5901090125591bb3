package dev.lstmserve.web;

import java.io.IOException;
import java.net.URI;

import dev.lstmserve.ops.ComputeLimits;
import dev.lstmserve.ops.OverloadedException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Answers 503 with Retry-After to a compute request (a POST under {@code /lstm/}) before its body is read, when it
 * could only be refused after reading it ({@link ComputeLimits#admit()}). Inside {@link RequestMetricsFilter}, so the
 * refusal is counted; before {@link RequestBodyLimitFilter}, which would read the body.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 8)
class ComputeAdmissionFilter extends OncePerRequestFilter {

    private final ComputeLimits limits;
    private final JsonMapper json;

    ComputeAdmissionFilter(ComputeLimits limits, JsonMapper json) {
        this.limits = limits;
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !("POST".equals(request.getMethod()) && request.getRequestURI().startsWith("/lstm/"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            limits.admit();
        } catch (OverloadedException e) {
            ProblemDetail problem = ProblemDetailsAdvice.overloadedProblem(e);
            problem.setInstance(URI.create(request.getRequestURI()));
            response.setStatus(HttpStatus.SERVICE_UNAVAILABLE.value());
            response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            json.writeValue(response.getOutputStream(), problem);
            return;
        }
        chain.doFilter(request, response);
    }
}
