package dev.lstmserve.core;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.apache.commons.math3.special.Erf;

/**
 * The activations Keras layers take by name ({@code keras/src/activations/activations.py}; tf.keras 2.x
 * {@code keras/activations.py} for Keras 2's hard_sigmoid), with Keras' default arguments. All are element-wise
 * except {@link #SOFTMAX} and {@link #LOG_SOFTMAX}, which work on the last axis ({@link #applyToRow}).
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
            return (float) softplus(x);
        }
    },
    /** Keras 3's {@code silu}, also named {@code swish}: {@code x · sigmoid(x)}. */
    SWISH("swish") {
        @Override
        public float apply(float x) {
            return (float) (x / (1.0 + Math.exp(-x)));
        }
    },
    SILU("silu") {
        @Override
        public float apply(float x) {
            return SWISH.apply(x);
        }
    },
    EXPONENTIAL("exponential") {
        @Override
        public float apply(float x) {
            return (float) Math.exp(x);
        }
    },
    /** {@code min(max(x, 0), 6)}. */
    RELU6("relu6") {
        @Override
        public float apply(float x) {
            return x > 0f ? Math.min(x, 6f) : 0f;
        }
    },
    /** Keras 3 {@code leaky_relu(x, negative_slope=0.2)}: x if x ≥ 0, else 0.2x. */
    LEAKY_RELU("leaky_relu") {
        @Override
        public float apply(float x) {
            return x >= 0f ? x : (float) (0.2 * x);
        }
    },
    /** Exact GELU, Keras' default ({@code approximate=False}): {@code 0.5 x (1 + erf(x / √2))}. */
    GELU("gelu") {
        @Override
        public float apply(float x) {
            return (float) (0.5 * x * (1.0 + Erf.erf(x / Math.sqrt(2.0))));
        }
    },
    /** {@code celu(x, alpha=1) = max(0, x) + min(0, alpha (exp(x / alpha) - 1))}. */
    CELU("celu") {
        @Override
        public float apply(float x) {
            return x > 0f ? x : (float) Math.expm1(x);
        }
    },
    /** {@code x · tanh(softplus(x))}. */
    MISH("mish") {
        @Override
        public float apply(float x) {
            return (float) (x * tanh(softplus(x)));
        }
    },
    /** {@code log(sigmoid(x)) = -softplus(-x)}. */
    LOG_SIGMOID("log_sigmoid") {
        @Override
        public float apply(float x) {
            return (float) -softplus(-x);
        }
    },
    /** Keras 3 {@code hard_silu}, also named {@code hard_swish}: {@code x · relu6(x + 3) / 6}. */
    HARD_SILU("hard_silu") {
        @Override
        public float apply(float x) {
            return (float) (x * Math.min(Math.max(x + 3.0, 0.0), 6.0) / 6.0);
        }
    },
    HARD_SWISH("hard_swish") {
        @Override
        public float apply(float x) {
            return HARD_SILU.apply(x);
        }
    },
    /** {@code clip(x, -1, 1)}. */
    HARD_TANH("hard_tanh") {
        @Override
        public float apply(float x) {
            return Math.max(-1f, Math.min(1f, x));
        }
    },
    /** {@code x - tanh(x)}. */
    TANH_SHRINK("tanh_shrink") {
        @Override
        public float apply(float x) {
            return (float) (x - tanh(x));
        }
    },
    /** {@code hard_shrink(x, threshold=0.5)}: x if |x| > 0.5, else 0. */
    HARD_SHRINK("hard_shrink") {
        @Override
        public float apply(float x) {
            return Math.abs(x) > 0.5f ? x : 0f;
        }
    },
    /** {@code soft_shrink(x, threshold=0.5)}: x - 0.5 above 0.5, x + 0.5 below -0.5, else 0. */
    SOFT_SHRINK("soft_shrink") {
        @Override
        public float apply(float x) {
            return x > 0.5f ? (float) (x - 0.5) : x < -0.5f ? (float) (x + 0.5) : 0f;
        }
    },
    /** 0 for x ≤ -1, (x + 1)² / 4 for -1 < x < 1, x for x ≥ 1. */
    SPARSE_PLUS("sparse_plus") {
        @Override
        public float apply(float x) {
            return x <= -1f ? 0f : x >= 1f ? x : (float) ((x + 1.0) * (x + 1.0) / 4.0);
        }
    },
    /** 0 for x ≤ -1, (x + 1) / 2 for -1 < x < 1, 1 for x ≥ 1. */
    SPARSE_SIGMOID("sparse_sigmoid") {
        @Override
        public float apply(float x) {
            return x <= -1f ? 0f : x >= 1f ? 1f : (float) ((x + 1.0) / 2.0);
        }
    },
    /** {@code squareplus(x, b=4) = (x + sqrt(x² + 4)) / 2}. */
    SQUAREPLUS("squareplus") {
        @Override
        public float apply(float x) {
            return (float) ((x + Math.sqrt((double) x * x + 4.0)) / 2.0);
        }
    },
    /** {@code exp(x - max) / sum(exp(x - max))} over the last axis: not element-wise, see {@link #applyToRow}. */
    SOFTMAX("softmax") {
        @Override
        public float apply(float x) {
            throw new UnsupportedOperationException("softmax works on a whole row: use applyToRow");
        }

        @Override
        public void applyToRow(float[] row, int from, int to) {
            double max = max(row, from, to);
            double[] e = new double[to - from];
            double sum = 0;
            for (int j = from; j < to; j++) {
                e[j - from] = Math.exp(row[j] - max);
                sum += e[j - from];
            }
            for (int j = from; j < to; j++) {
                row[j] = (float) (e[j - from] / sum);
            }
        }
    },
    /** {@code x - max - log(sum(exp(x - max)))} over the last axis: not element-wise, see {@link #applyToRow}. */
    LOG_SOFTMAX("log_softmax") {
        @Override
        public float apply(float x) {
            throw new UnsupportedOperationException("log_softmax works on a whole row: use applyToRow");
        }

        @Override
        public void applyToRow(float[] row, int from, int to) {
            double max = max(row, from, to);
            double sum = 0;
            for (int j = from; j < to; j++) {
                sum += Math.exp(row[j] - max);
            }
            double log = Math.log(sum);
            for (int j = from; j < to; j++) {
                row[j] = (float) (row[j] - max - log);
            }
        }
    };

    /** Keras names that are not element-wise functions of one value and need arguments or reshape a row. */
    private static final java.util.Map<String, String> REFUSED = java.util.Map.of(
            "glu", "glu halves the last axis (not an element-wise activation)",
            "sparsemax", "sparsemax is not supported",
            "threshold", "threshold needs threshold and default_value arguments, which a layer's activation name cannot carry");

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

    /** {@code log(1 + e^x)} in double, without overflow for large x. */
    static double softplus(double x) {
        return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /**
     * The activation applied to one float32 value.
     *
     * @throws UnsupportedOperationException for {@link #SOFTMAX} and {@link #LOG_SOFTMAX}, which need a whole row
     */
    public abstract float apply(float x);

    /** The activation applied in place to {@code row[from, to)}, the last axis of one sample (Keras' axis=-1). */
    public void applyToRow(float[] row, int from, int to) {
        for (int j = from; j < to; j++) {
            row[j] = apply(row[j]);
        }
    }

    private static double max(float[] row, int from, int to) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = from; j < to; j++) {
            max = Math.max(max, row[j]);
        }
        return max;
    }

    /** Whether each value's result depends on that value alone (all but softmax and log_softmax). */
    public boolean isElementWise() {
        return this != SOFTMAX && this != LOG_SOFTMAX;
    }

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
        if (REFUSED.containsKey(key)) {
            throw new IllegalArgumentException("activation '" + name + "' is not supported: " + REFUSED.get(key));
        }
        throw new IllegalArgumentException("activation '" + name + "' is not supported; supported: "
                + Arrays.stream(values()).map(Activation::kerasName).distinct().collect(Collectors.joining(", ")));
    }
}
