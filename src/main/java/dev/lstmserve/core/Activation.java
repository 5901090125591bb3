package dev.lstmserve.core;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The element-wise activations an LSTM may use, under their Keras names.
 *
 * <p>Values are computed in double and rounded to float32 once, so they are the float32 value nearest to the
 * exact result; Keras' own float32 kernels are within an ulp or two of it.
 */
public enum Activation {

    TANH("tanh") {
        @Override
        public float apply(float x) {
            return (float) tanh(x);
        }
    },
    SIGMOID("sigmoid") {
        @Override
        public float apply(float x) {
            return (float) (1.0 / (1.0 + Math.exp(-x)));
        }
    },
    /** Keras 2 / tf.keras 2.x: {@code clip(0.2 x + 0.5, 0, 1)}. */
    HARD_SIGMOID_KERAS2("hard_sigmoid") {
        @Override
        public float apply(float x) {
            return (float) Math.max(0.0, Math.min(1.0, 0.2 * x + 0.5));
        }
    },
    /** Keras 3: {@code relu6(x + 3) / 6 = clip(x / 6 + 0.5, 0, 1)}. */
    HARD_SIGMOID_KERAS3("hard_sigmoid") {
        @Override
        public float apply(float x) {
            return (float) Math.max(0.0, Math.min(1.0, x / 6.0 + 0.5));
        }
    },
    RELU("relu") {
        @Override
        public float apply(float x) {
            return x > 0f ? x : 0f;
        }
    },
    LINEAR("linear") {
        @Override
        public float apply(float x) {
            return x;
        }
    },
    SOFTSIGN("softsign") {
        @Override
        public float apply(float x) {
            return (float) (x / (1.0 + Math.abs(x)));
        }
    },
    ELU("elu") {
        @Override
        public float apply(float x) {
            return x > 0f ? x : (float) Math.expm1(x);
        }
    },
    SELU("selu") {
        // Constants as in Keras (keras/src/activations/activations.py).
        private static final double ALPHA = 1.67326324235437728481;
        private static final double SCALE = 1.05070098735548049342;

        @Override
        public float apply(float x) {
            return (float) (x > 0f ? SCALE * x : SCALE * ALPHA * Math.expm1(x));
        }
    },
    SOFTPLUS("softplus") {
        @Override
        public float apply(float x) {
            // log(1 + e^x) without overflow for large x.
            return (float) (Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs((double) x))));
        }
    },
    SWISH("swish") {
        @Override
        public float apply(float x) {
            return (float) (x / (1.0 + Math.exp(-x)));
        }
    };

    private final String kerasName;

    Activation(String kerasName) {
        this.kerasName = kerasName;
    }

    /**
     * tanh to double precision from {@link Math#exp}, which the JIT compiles to a CPU intrinsic, unlike
     * {@link Math#tanh} (a software fdlibm port, ~10x slower here and the engine's bottleneck before this).
     */
    static double tanh(double x) {
        double ax = Math.abs(x);
        if (ax < 1e-3) {
            // Taylor series: exact to ~1e-20 relative here, where (e - 1) / (e + 1) would cancel.
            double x2 = x * x;
            return x * (1.0 - x2 / 3.0 + 2.0 * x2 * x2 / 15.0);
        }
        if (ax > 20.0) {
            // tanh(20) = 1 - 8e-18: 1.0 in float32 and in double; also keeps exp from overflowing.
            return Math.signum(x);
        }
        double e = Math.exp(2.0 * x);
        return (e - 1.0) / (e + 1.0);
    }

    /** The activation applied to one float32 value. */
    public abstract float apply(float x);

    /** The name Keras uses in a layer config ({@code "hard_sigmoid"} for both hard_sigmoid forms). */
    public String kerasName() {
        return kerasName;
    }

    /**
     * The activation Keras means by {@code name} in a file written by Keras {@code kerasMajorVersion}.
     * Only {@code hard_sigmoid} depends on the version: Keras 2 and tf.keras 2.x use {@code 0.2 x + 0.5},
     * Keras 3 uses {@code x / 6 + 0.5}.
     *
     * @throws IllegalArgumentException naming the unknown activation and the supported ones
     */
    public static Activation byKerasName(String name, int kerasMajorVersion) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (key.equals("hard_sigmoid")) {
            return kerasMajorVersion <= 2 ? HARD_SIGMOID_KERAS2 : HARD_SIGMOID_KERAS3;
        }
        for (Activation activation : values()) {
            if (activation.kerasName.equals(key)) {
                return activation;
            }
        }
        throw new IllegalArgumentException("activation '" + name + "' is not supported; supported: "
                + Arrays.stream(values()).map(Activation::kerasName).distinct().collect(Collectors.joining(", ")));
    }
}
