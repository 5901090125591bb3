package dev.lstmserve.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Keras version a file records ({@code 1.2.2}, {@code 2.2.4}, {@code 2.3.0-tf}, {@code 3.6.0}), and the rules that
 * changed between versions. Keras' defaults are only used for a field the file does not write; Keras' own writers
 * always write them, so this matters for hand-written configs.
 *
 * @param text  as written, or {@code null} when the file records none
 * @param major 1, 2 or 3 ({@code 3} when {@code text} is {@code null}: lstm-serve JSON without a version means
 *              Keras 3, as documented)
 * @param minor the second number, 0 when absent
 */
public record KerasVersion(String text, int major, int minor) {

    private static final Pattern VERSION = Pattern.compile("(\\d+)(?:\\.(\\d+))?.*");

    /** Keras 3's rules, for a file that records no version. */
    public static final KerasVersion UNRECORDED_KERAS_3 = new KerasVersion(null, 3, 0);

    /**
     * A Keras HDF5 file without a {@code keras_version} attribute: the rules that changed between versions cannot be
     * told, so a model that depends on one is refused naming the missing attribute.
     */
    public static final KerasVersion UNKNOWN = new KerasVersion(null, -1, 0);

    /** Whether the version is known (see {@link #UNKNOWN}). */
    public boolean known() {
        return major > 0;
    }

    /**
     * @param text as written; {@code null} or blank for {@link #UNRECORDED_KERAS_3}
     * @throws IllegalArgumentException when it does not start with a number
     */
    public static KerasVersion parse(String text) {
        if (text == null || text.isBlank()) {
            return UNRECORDED_KERAS_3;
        }
        Matcher m = VERSION.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("keras_version = \"" + text + "\" does not start with a number");
        }
        return new KerasVersion(text, Integer.parseInt(m.group(1)), m.group(2) == null ? 0 : Integer.parseInt(m.group(2)));
    }

    /** tf.keras' own versions end in {@code -tf} ({@code 2.2.4-tf}, {@code 2.3.0-tf}). */
    public boolean tfKeras() {
        return text != null && text.strip().endsWith("-tf");
    }

    /**
     * Whether a {@code Bidirectional} layer that returns sequences outputs zeros at masked steps: tf.keras and Keras 3
     * force {@code zero_output_for_mask = return_sequences} on both directions in the wrapper's constructor, whatever
     * the config says ({@code keras/src/layers/rnn/bidirectional.py} and tf-keras {@code layers/rnn/bidirectional.py}
     * {@code force_zero_output_for_mask}); multi-backend Keras up to 2.3.1 and Keras 1 ({@code keras/layers/wrappers.py})
     * do not, so there a masked step repeats the previous output. tf.keras writes {@code -tf} versions up to 2.3.0-tf
     * and plain versions from 2.4.0; a file without a version is read by Keras' legacy loader as Keras 1.
     */
    public boolean bidirectionalZeroesMaskedSteps() {
        return major >= 3 || tfKeras() || (major == 2 && minor >= 4);
    }

    /**
     * The LSTM's {@code recurrent_activation} when the config leaves it out: {@code hard_sigmoid} up to Keras 2.2.x
     * (Keras 1's {@code inner_activation} too), {@code sigmoid} from Keras 2.3.0 and in Keras 3 ({@code
     * keras/layers/recurrent.py} of each release).
     *
     * @throws IllegalArgumentException for tf.keras before 2.3 ({@code 2.2.4-tf}), whose default was hard_sigmoid
     *                                  in TensorFlow 1.x and sigmoid in TensorFlow 2.0, which wrote the same version:
     *                                  the field must be given
     */
    public String recurrentActivationDefault(String layer) {
        if (!known()) {
            throw new IllegalArgumentException(layer + ".recurrent_activation is missing and the file records no"
                    + " keras_version to tell its default (hard_sigmoid up to Keras 2.2, sigmoid from 2.3)");
        }
        if (major >= 3 || (major == 2 && minor >= 3)) {
            return "sigmoid";
        }
        if (tfKeras()) {
            throw new IllegalArgumentException(layer + ".recurrent_activation is missing, and keras_version \"" + text
                    + "\" does not tell the default: TensorFlow 1.x's tf.keras used hard_sigmoid and TensorFlow 2.0's"
                    + " sigmoid under the same version; give recurrent_activation");
        }
        return "hard_sigmoid";
    }
}
