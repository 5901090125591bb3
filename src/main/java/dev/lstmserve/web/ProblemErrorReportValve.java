package dev.lstmserve.web;

import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.servlet.RequestDispatcher;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

/**
 * Tomcat's last word on an error, as problem+json instead of its HTML page: requests Tomcat refuses before any
 * servlet sees them (a malformed request line, an invalid header, a request target too long). Errors inside the
 * application never get here: Spring MVC and {@link ProblemErrorController} have written their body already.
 *
 * <p>The detail is Tomcat's own one-line reason (it names what in the request was wrong, never the server's
 * insides); no exception, class or stack frame is written.
 */
class ProblemErrorReportValve extends ErrorReportValve {

    ProblemErrorReportValve() {
        setShowReport(false);
        setShowServerInfo(false);
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        // As ErrorReportValve: only an error with no body yet, reported once, on a connection that can still write.
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(true);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        HttpStatus known = HttpStatus.resolve(status);
        String title = known != null ? known.getReasonPhrase() : "Error";
        String detail = "the HTTP server refused the request" + reason(response, throwable, status);
        StringBuilder json = new StringBuilder(256).append("{\"type\":\"about:blank\",\"title\":");
        quote(json, title).append(",\"status\":").append(status).append(",\"detail\":");
        quote(json, detail);
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        String instance = uri != null ? uri.toString() : request.getRequestURI();
        if (instance != null && instance.startsWith("/")) {
            quote(json.append(",\"instance\":"), instance);
        }
        json.append('}');
        try {
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.setCharacterEncoding("UTF-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(json.toString());
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // The client is gone or the response cannot be written: nothing more to say.
        }
    }

    /** Tomcat's message, first line only, or what the status means; never a stack trace. */
    private static String reason(Response response, Throwable throwable, int status) {
        String message = response.getMessage();
        if ((message == null || message.isBlank()) && throwable != null && status != 500) {
            message = throwable.getMessage();
        }
        if (message == null || message.isBlank()) {
            if (status == 500) {
                return "; the service log has the cause";
            }
            HttpStatus known = HttpStatus.resolve(status);
            return known == null ? "" : ": " + known.getReasonPhrase();
        }
        int newline = message.indexOf('\n');
        return ": " + (newline >= 0 ? message.substring(0, newline) : message).strip();
    }

    private static StringBuilder quote(StringBuilder json, String text) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029 || Character.isSurrogate(c)) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"');
    }
}
