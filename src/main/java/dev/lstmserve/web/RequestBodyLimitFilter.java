package dev.lstmserve.web;

import java.io.IOException;
import java.net.URI;

import dev.lstmserve.config.LstmProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Refuses request bodies over {@code lstm.max-request-size} with 413: at once when Content-Length says so, and while
 * reading when a body without one (chunked) grows past the limit.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class RequestBodyLimitFilter extends OncePerRequestFilter {

    private final long limit;
    private final JsonMapper json;

    RequestBodyLimitFilter(LstmProperties properties, JsonMapper json) {
        this.limit = properties.maxRequestSize().toBytes();
        this.json = json;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > limit) {
            // The unread body is not worth keeping the connection for.
            response.setHeader("Connection", "close");
            reject(request, response);
            return;
        }
        try {
            chain.doFilter(new LimitedRequest(request, limit), response);
        } catch (IOException | ServletException | RuntimeException e) {
            // Spring MVC's message converters turn a body that grows too large into a 413 (ProblemDetailsAdvice);
            // a reader before them, such as Spring's FormContentFilter for a PUT, PATCH or DELETE form, lets the
            // exception out of the chain, where it would become a 500.
            if (!causedBy(e, TooLargeException.class) || response.isCommitted()) {
                throw e;
            }
            response.reset();
            reject(request, response);
        }
    }

    private void reject(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long length = request.getContentLengthLong();
        ProblemDetail problem = problem(limit, length > limit ? length : -1);
        problem.setInstance(URI.create(request.getRequestURI()));
        response.setStatus(HttpStatus.CONTENT_TOO_LARGE.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), problem);
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param actual the body's length when Content-Length gave it, else -1 (a chunked body is refused as soon as it
     *               passes the limit, so its length is never known)
     */
    static ProblemDetail problem(long limit, long actual) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE,
                "the request body " + (actual > 0 ? "has " + actual + " bytes; that is" : "is") + " larger than the"
                        + " limit of " + limit + " bytes" + readable(limit) + " (lstm.max-request-size)");
        problem.setTitle("Request body too large");
        problem.setProperty("limit", "lstm.max-request-size");
        problem.setProperty("maximum", limit);
        if (actual > 0) {
            problem.setProperty("actual", actual);
        }
        return problem;
    }

    /** {@code " = 16 MiB"} or {@code " = 1 KiB"} for a whole number of them (truncating would say "0 MiB"). */
    private static String readable(long limit) {
        DataSize size = DataSize.ofBytes(limit);
        if (size.toMegabytes() > 0 && DataSize.ofMegabytes(size.toMegabytes()).equals(size)) {
            return " = " + size.toMegabytes() + " MiB";
        }
        if (size.toKilobytes() > 0 && DataSize.ofKilobytes(size.toKilobytes()).equals(size)) {
            return " = " + size.toKilobytes() + " KiB";
        }
        return "";
    }

    /** Thrown while reading a body that has grown past the limit. */
    static final class TooLargeException extends IOException {

        private final long limit;

        TooLargeException(long limit) {
            super("request body exceeds " + limit + " bytes");
            this.limit = limit;
        }

        long limit() {
            return limit;
        }
    }

    private static final class LimitedRequest extends HttpServletRequestWrapper {

        private final long limit;
        private ServletInputStream stream;

        LimitedRequest(HttpServletRequest request, long limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new LimitedInputStream(super.getInputStream(), limit);
            }
            return stream;
        }
    }

    private static final class LimitedInputStream extends ServletInputStream {

        private final ServletInputStream in;
        private final long limit;
        private long read;

        LimitedInputStream(ServletInputStream in, long limit) {
            this.in = in;
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws IOException {
            read += n;
            if (read > limit) {
                throw new TooLargeException(limit);
            }
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }
}
