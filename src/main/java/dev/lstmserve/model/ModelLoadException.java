package dev.lstmserve.model;

/** A model that cannot be served: names the file and what is wrong with it. */
public class ModelLoadException extends RuntimeException {

    private final String source;

    public ModelLoadException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
    }

    public ModelLoadException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.source = source;
    }

    /** The file (or embedded resource) the model came from. */
    public String source() {
        return source;
    }
}
