package dev.lstmserve.inference;

/** A request the model cannot run: {@code field} names the offending part (e.g. {@code tokens[1][3]}). */
public class InvalidInputException extends RuntimeException {

    private final String field;

    public InvalidInputException(String field, String detail) {
        super(detail);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
