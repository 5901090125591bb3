package dev.lstmserve.web;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * Actuator answers a health component or group that does not exist ({@code /actuator/health/nope}) with an empty 404;
 * this turns such an empty error into the container's error dispatch, so it is problem+json like every other error.
 */
@Component
class HealthNotFoundFilter extends OncePerRequestFilter {

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/actuator/health/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        ContentCachingResponseWrapper buffered = new ContentCachingResponseWrapper(response);
        chain.doFilter(request, buffered);
        if (buffered.getStatus() >= 400 && buffered.getContentSize() == 0 && !response.isCommitted()) {
            response.sendError(buffered.getStatus());
            return;
        }
        buffered.copyBodyToResponse();
    }
}
