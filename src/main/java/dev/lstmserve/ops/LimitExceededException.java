package dev.lstmserve.ops;

/**
 * A request that asks for more work than a configured limit allows; the web layer answers 413.
 *
 * @see ComputeLimits
 */
public class LimitExceededException extends RuntimeException {

    private final String field;
    private final String property;
    private final long maximum;
    private final long actual;

    /**
     * @param field    the request's input that is too large, e.g. {@code tokens}
     * @param property the limit's configuration property, e.g. {@code lstm.limits.max-batch-size}
     * @param maximum  the limit's value
     * @param actual   the request's value
     * @param detail   the sentence a client reads
     */
    public LimitExceededException(String field, String property, long maximum, long actual, String detail) {
        super(detail);
        this.field = field;
        this.property = property;
        this.maximum = maximum;
        this.actual = actual;
    }

    public String field() {
        return field;
    }

    public String property() {
        return property;
    }

    public long maximum() {
        return maximum;
    }

    public long actual() {
        return actual;
    }
}
