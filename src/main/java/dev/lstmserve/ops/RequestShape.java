package dev.lstmserve.ops;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much work a request asks for, measured on the parsed body before anything is computed: the limits in
 * {@link ComputeLimits} are checked against it.
 *
 * @param field        the input that was measured: {@code tokens}, {@code text} or {@code inputs}; {@code null} when
 *                     the request has none (the inference service refuses it)
 * @param batch        B, the number of windows
 * @param windowLength T, the longest window's steps (words for {@code text})
 * @param steps        B·T
 * @param inputValues  the numbers in {@code inputs} (B·T·E), 0 for {@code tokens} and {@code text}
 */
public record RequestShape(String field, int batch, int windowLength, long steps, long inputValues) {

    /** Words as {@code Vocabulary} splits text: runs of anything but Unicode white space (Python's str.split()). */
    private static final Pattern WORD = Pattern.compile("(?U)\\S+");

    public static final RequestShape NONE = new RequestShape(null, 0, 0, 0, 0);

    /**
     * Measures the first of {@code tokens [B][T]}, {@code text [B]} and {@code inputs [B][T][E]} that is present: a
     * request with more than one is refused by the inference service before any work, so one is enough to bound it.
     * Ragged and null rows are measured as they are (the longest window counts); the inference service refuses them.
     */
    public static RequestShape of(int[][] tokens, String[] text, double[][][] inputs) {
        return of(tokens, text == null ? null : Arrays.asList(text), inputs);
    }

    /** As {@link #of(int[][], String[], double[][][])}, with {@code text} as a list. */
    public static RequestShape of(int[][] tokens, List<String> text, double[][][] inputs) {
        if (tokens != null) {
            int length = 0;
            for (int[] window : tokens) {
                length = Math.max(length, window == null ? 0 : window.length);
            }
            return new RequestShape("tokens", tokens.length, length, (long) tokens.length * length, 0);
        }
        if (text != null) {
            int length = 0;
            for (String window : text) {
                length = Math.max(length, window == null ? 0 : words(window));
            }
            return new RequestShape("text", text.size(), length, (long) text.size() * length, 0);
        }
        if (inputs != null) {
            int length = 0;
            long values = 0;
            for (double[][] window : inputs) {
                if (window != null) {
                    length = Math.max(length, window.length);
                    for (double[] step : window) {
                        values += step == null ? 0 : step.length;
                    }
                }
            }
            return new RequestShape("inputs", inputs.length, length, (long) inputs.length * length, values);
        }
        return NONE;
    }

    private static int words(String window) {
        Matcher words = WORD.matcher(window);
        int count = 0;
        while (words.find()) {
            count++;
        }
        return count;
    }
}
