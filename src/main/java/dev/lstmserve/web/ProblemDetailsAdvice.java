package dev.lstmserve.web;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.lstmserve.core.NonFiniteOutputException;
import dev.lstmserve.inference.BatchQueueFullException;
import dev.lstmserve.inference.InvalidInputException;
import dev.lstmserve.ops.LimitExceededException;
import dev.lstmserve.ops.OverloadedException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import org.springframework.web.util.DisconnectedClientHelper;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonToken;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.InvalidNullException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Every error as RFC 9457 {@code application/problem+json}, with a {@code detail} that names the offending field and
 * value or shape. Spring's own MVC errors (404, 405, 415, ...) come through {@link ResponseEntityExceptionHandler}.
 * No stack trace ever reaches a client.
 */
@RestControllerAdvice
class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

    /**
     * A client that went away while its answer was being written (Spring's rule: Tomcat's
     * {@code ClientAbortException}, "Broken pipe", "Connection reset by peer", ...) is not a fault of the service:
     * logged at DEBUG under this category (stack trace at TRACE), with no answer attempted.
     */
    private static final DisconnectedClientHelper DISCONNECTED_CLIENT =
            new DisconnectedClientHelper("dev.lstmserve.web.DisconnectedClient");

    private static final Pattern SOURCE = Pattern.compile(
            "\\s*\\([^()\\[]*\\[Source: [^\\]]*\\]\\)|\\s*at \\[Source: [^\\]]*\\]");
    /** A parenthesis that names Jackson's insides, e.g. {@code (from `StreamReadConstraints.getMaxNestingDepth()`)}. */
    private static final Pattern CODE_NOTE = Pattern.compile("\\s*\\([^()]*`[^`]*`[^()]*\\)");
    /** Advice to switch a parser feature on, e.g. {@code ; enable `JsonReadFeature.X` to allow}. */
    private static final Pattern ENABLE_HINT = Pattern.compile(
            "[;:,]?\\s*(?:use|enable|disable)\\s+`[^`]*`\\s*(?:to allow|to accept)?[^;)]*");
    /** {@code (not recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser)} and the like. */
    private static final Pattern FEATURE = Pattern.compile(
            "\\s*\\(?[^()]*Feature '[A-Z_]+' not enabled for parser\\)?");

    @ExceptionHandler(InvalidInputException.class)
    ResponseEntity<Object> invalidInput(InvalidInputException e, WebRequest request) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
        problem.setTitle("Invalid input");
        if (e.field() != null) {
            problem.setProperty("field", e.field());
        }
        return handleExceptionInternal(e, problem, new HttpHeaders(), HttpStatus.BAD_REQUEST, request);
    }

    /** 422: the request was valid, but the model's float32 computation overflowed (Keras' does too). */
    @ExceptionHandler(NonFiniteOutputException.class)
    ResponseEntity<Object> nonFiniteOutput(NonFiniteOutputException e, WebRequest request) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_CONTENT, e.getMessage()
                + "; JSON has no number for it, so no outputs are returned");
        problem.setTitle("Outputs not finite");
        problem.setProperty("layer", e.layer());
        problem.setProperty("row", e.row());
        if (e.step() >= 0) {
            problem.setProperty("step", e.step());
        }
        return handleExceptionInternal(e, problem, new HttpHeaders(), HttpStatus.UNPROCESSABLE_CONTENT, request);
    }

    /** 413 naming the limit, its value and the request's ({@code lstm.limits.*}). */
    @ExceptionHandler(LimitExceededException.class)
    ResponseEntity<Object> limitExceeded(LimitExceededException e, WebRequest request) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE, e.getMessage());
        problem.setTitle("Request too large");
        if (e.field() != null) {
            problem.setProperty("field", e.field());
        }
        problem.setProperty("limit", e.property());
        problem.setProperty("maximum", e.maximum());
        problem.setProperty("actual", e.actual());
        return handleExceptionInternal(e, problem, new HttpHeaders(), HttpStatus.CONTENT_TOO_LARGE, request);
    }

    /** 503 with {@code Retry-After}: every compute slot stayed busy. */
    @ExceptionHandler(OverloadedException.class)
    ResponseEntity<Object> overloaded(OverloadedException e, WebRequest request) {
        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
        return handleExceptionInternal(e, overloadedProblem(e), headers, HttpStatus.SERVICE_UNAVAILABLE, request);
    }

    static ProblemDetail overloadedProblem(OverloadedException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
        problem.setTitle("Overloaded");
        problem.setProperty("limit", "lstm.limits.max-concurrent-requests");
        problem.setProperty("maximum", e.maxConcurrentRequests());
        return problem;
    }

    /** 503 with {@code Retry-After}: the batch queue is full ({@code lstm.batching.max-queue-size}). */
    @ExceptionHandler(BatchQueueFullException.class)
    ResponseEntity<Object> batchQueueFull(BatchQueueFullException e, WebRequest request) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
        problem.setTitle("Overloaded");
        problem.setProperty("limit", "lstm.batching.max-queue-size");
        problem.setProperty("maximum", e.maxQueueSize());
        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
        return handleExceptionInternal(e, problem, headers, HttpStatus.SERVICE_UNAVAILABLE, request);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception e, WebRequest request) {
        if (DISCONNECTED_CLIENT.checkAndLogClientDisconnectedException(e)) {
            // Nobody to answer; a load generator closing its connections at the end of a run did this 35 times a
            // run, each an ERROR with a stack trace before.
            return null;
        }
        String id = UUID.randomUUID().toString();
        log.error("Unexpected error {} on {}", id, request.getDescription(false), e);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                "The request could not be processed; the service log has the cause under id " + id);
        problem.setTitle("Internal error");
        return handleExceptionInternal(e, problem, new HttpHeaders(), HttpStatus.INTERNAL_SERVER_ERROR, request);
    }

    @Override
    protected ResponseEntity<Object> handleNoResourceFoundException(NoResourceFoundException e, HttpHeaders headers,
                                                                    HttpStatusCode status, WebRequest request) {
        // The resource path is what the resource handler looked up, normalised (/lstm/model/ becomes lstm/model):
        // naming that would tell a client that /lstm/model does not exist.
        String path = request instanceof ServletWebRequest servlet ? servlet.getRequest().getRequestURI()
                : "/" + e.getResourcePath();
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "no endpoint at "
                + e.getHttpMethod() + " " + path + "; the API is described at /v3/api-docs");
        problem.setTitle("Not Found");
        return handleExceptionInternal(e, problem, headers, HttpStatus.NOT_FOUND, request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e,
                                                                  HttpHeaders headers, HttpStatusCode status,
                                                                  WebRequest request) {
        RequestBodyLimitFilter.TooLargeException tooLarge = find(e, RequestBodyLimitFilter.TooLargeException.class);
        if (tooLarge != null) {
            ProblemDetail problem = RequestBodyLimitFilter.problem(tooLarge.limit(), -1);
            return handleExceptionInternal(e, problem, headers, HttpStatus.CONTENT_TOO_LARGE, request);
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, describe(e));
        problem.setTitle("Invalid request body");
        JacksonException jackson = find(e, JacksonException.class);
        if (jackson != null && !jackson.getPath().isEmpty()) {
            problem.setProperty("field", path(jackson.getPath()));
        }
        return handleExceptionInternal(e, problem, headers, HttpStatus.BAD_REQUEST, request);
    }

    static String describe(HttpMessageNotReadableException e) {
        JacksonException jackson = find(e, JacksonException.class);
        if (jackson == null) {
            return "the request body is missing or unreadable; expected a JSON object";
        }
        String field = path(jackson.getPath());
        if (jackson instanceof UnrecognizedPropertyException unknown) {
            return "unknown field \"" + unknown.getPropertyName() + "\"" + (parent(unknown.getPath()).isEmpty() ? ""
                    : " in " + parent(unknown.getPath())) + "; known fields: " + known(unknown.getKnownPropertyIds());
        }
        if (jackson instanceof InvalidNullException nul) {
            return field + " is null; expected " + expected(elementType(nul));
        }
        if (jackson instanceof MismatchedInputException trailing
                && jackson.getOriginalMessage().startsWith("Trailing token")) {
            return "the request body goes on after its JSON object" + at(trailing)
                    + "; send exactly one JSON object";
        }
        if (jackson instanceof InvalidFormatException format) {
            return field + " = " + format.getValue() + " is not " + expected(elementType(format));
        }
        if (jackson instanceof MismatchedInputException mismatch) {
            String got = got(mismatch.getCurrentToken());
            return (field.isEmpty() ? "the request body" : field) + " is " + got + "; expected "
                    + expected(elementType(mismatch));
        }
        if (jackson instanceof StreamConstraintsException) {
            return "the JSON exceeds a parser limit: " + readable(jackson.getOriginalMessage());
        }
        if (jackson instanceof InputCoercionException coercion) {
            return (field.isEmpty() ? "a number" : field) + " is out of range: "
                    + readable(coercion.getOriginalMessage());
        }
        if (jackson.getOriginalMessage().startsWith("Non-standard token")) {
            return (field.isEmpty() ? "a number" : field) + " is NaN or Infinity, which JSON and float32 inputs do not"
                    + " allow; send finite numbers";
        }
        if (jackson instanceof StreamReadException read && read.getLocation() != null) {
            return "malformed JSON at line " + read.getLocation().getLineNr() + ", column "
                    + read.getLocation().getColumnNr() + ": " + withoutSource(read.getOriginalMessage());
        }
        return (field.isEmpty() ? "" : field + ": ") + withoutSource(jackson.getOriginalMessage());
    }

    private static String at(JacksonException e) {
        return e.getLocation() == null || e.getLocation().getLineNr() < 0 ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }

    /**
     * Jackson's message without its {@code (start marker at [Source: REDACTED (`StreamReadFeature...` disabled); ...])}
     * parts, which tell a client nothing but the name of a parser setting.
     */
    private static String withoutSource(String message) {
        return readable(SOURCE.matcher(message).replaceAll(""));
    }

    /**
     * Jackson's message without the names of its classes, methods and settings (API.md: errors never show the
     * service's insides): parentheses that cite code, advice to enable a parser feature, backticks around a type.
     */
    static String readable(String message) {
        String out = CODE_NOTE.matcher(message).replaceAll("");
        out = ENABLE_HINT.matcher(out).replaceAll("");
        out = FEATURE.matcher(out).replaceAll("");
        return out.replaceAll("`([A-Za-z]+)`", "$1").replace("`", "").trim();
    }

    /**
     * The type Jackson wanted at the failing path: for an element of a primitive array ({@code int[]}), Jackson
     * reports the array type with the element's index, so the element type is the component type.
     */
    private static Class<?> elementType(MismatchedInputException e) {
        Class<?> type = e.getTargetType();
        List<JacksonException.Reference> path = e.getPath();
        boolean atIndex = !path.isEmpty() && path.get(path.size() - 1).getPropertyName() == null;
        // Jackson names the array type in two cases: an element it cannot coerce ("Cannot coerce String value ("7")
        // to element of `int[]`"), and a value where the array itself belongs ("Cannot deserialize value of type
        // `int[]` from Integer value", e.g. tokens [1, 2]). Only the message tells them apart.
        boolean element = e instanceof InvalidNullException || e.getOriginalMessage().contains("element of");
        return type != null && type.isArray() && type.getComponentType().isPrimitive() && atIndex && element
                ? type.getComponentType() : type;
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "a value of another type";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        return "an object";
    }

    private static String got(JsonToken token) {
        if (token == null) {
            return "missing";
        }
        return switch (token) {
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.name().toLowerCase(Locale.ROOT);
        };
    }

    private static String known(Collection<Object> ids) {
        return ids == null ? "" : ids.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
    }

    /** A Jackson path as the contract writes it: {@code initial_state.h[1][0]}. */
    static String path(List<JacksonException.Reference> references) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : references) {
            if (reference.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String parent(List<JacksonException.Reference> references) {
        return references.isEmpty() ? "" : path(references.subList(0, references.size() - 1));
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
