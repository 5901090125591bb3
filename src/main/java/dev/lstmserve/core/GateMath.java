package dev.lstmserve.core;

/**
 * The LSTM's activations in float32 arithmetic, written with exactly the operations {@link VectorTileKernel} applies
 * to each lane (the same multiplies, adds, fused multiply-adds, divisions, min/max and exponent-bit tricks, in the same
 * order), so the scalar fallback and the Vector API path compute the same bits.
 *
 * <p>{@code exp} is Cephes' {@code expf} (range reduction by n·ln 2 with ln 2 split in two, a degree-5 polynomial,
 * 2^n from the exponent bits); {@code tanh} is Cephes' {@code tanhf} (an odd polynomial below 0.625, {@code 1 −
 * 2 / (e^{2|x|} + 1)} above). Both are within a few float32 ulps of the exact value (tested against double in
 * {@code GateMathTests}). The hard_sigmoid forms, relu and linear are exact float32 formulas; any other activation is
 * applied through {@link Activation#apply}, lane by lane.
 */
final class GateMath {

    /** Activation codes the kernels dispatch on; {@link #OTHER} goes through {@link Activation#apply}. */
    static final int OTHER = 0;
    static final int TANH = 1;
    static final int SIGMOID = 2;
    static final int HARD_SIGMOID_KERAS2 = 3;
    static final int HARD_SIGMOID_KERAS3 = 4;
    static final int RELU = 5;
    static final int LINEAR = 6;

    static final float EXP_HI = 88.3f;
    static final float EXP_LO = -87.3f;
    static final float LOG2E = 1.44269504088896341f;
    /** 1.5·2^23: adding it rounds a float of magnitude below 2^22 to an integer, held in the low mantissa bits. */
    static final float ROUND = 12582912f;
    static final int ROUND_BITS = 0x4B400000;
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    static final float P0 = 1.9875691500E-4f;
    static final float P1 = 1.3981999507E-3f;
    static final float P2 = 8.3334519073E-3f;
    static final float P3 = 4.1665795894E-2f;
    static final float P4 = 1.6666665459E-1f;
    static final float P5 = 5.0000001201E-1f;
    static final float TANH_SMALL = 0.625f;
    static final float T0 = -5.70498872745E-3f;
    static final float T1 = 2.06390887954E-2f;
    static final float T2 = -5.37397155531E-2f;
    static final float T3 = 1.33314422036E-1f;
    static final float T4 = -3.33332819422E-1f;

    private GateMath() {
    }

    static int code(Activation activation) {
        return switch (activation) {
            case TANH -> TANH;
            case SIGMOID -> SIGMOID;
            case HARD_SIGMOID_KERAS2 -> HARD_SIGMOID_KERAS2;
            case HARD_SIGMOID_KERAS3 -> HARD_SIGMOID_KERAS3;
            case RELU -> RELU;
            case LINEAR -> LINEAR;
            default -> OTHER;
        };
    }

    static float exp(float x) {
        x = Math.min(Math.max(x, EXP_LO), EXP_HI);
        float t = x * LOG2E + ROUND;
        float n = t - ROUND;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(P0, r, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        float e = Math.fma(p, r * r, r) + 1f;
        int bits = Float.floatToRawIntBits(t) - ROUND_BITS;
        return e * Float.intBitsToFloat((bits + 127) << 23);
    }

    static float sigmoid(float x) {
        return 1f / (1f + exp(-x));
    }

    static float tanh(float x) {
        float ax = Math.abs(x);
        float z = x * x;
        float p = Math.fma(T0, z, T1);
        p = Math.fma(p, z, T2);
        p = Math.fma(p, z, T3);
        p = Math.fma(p, z, T4);
        float small = Math.fma(p * z, x, x);
        float large = 1f - 2f / (exp(ax + ax) + 1f);
        // large ≥ 0; negative x below 0.625 in magnitude (−0 included) take the small branch.
        large = x < 0f ? -large : large;
        return ax < TANH_SMALL ? small : large;
    }

    static float hardSigmoidKeras2(float x) {
        return Math.min(Math.max(x * 0.2f + 0.5f, 0f), 1f);
    }

    static float hardSigmoidKeras3(float x) {
        return Math.min(Math.max(x / 6f + 0.5f, 0f), 1f);
    }

    static float apply(int code, Activation activation, float x) {
        return switch (code) {
            case TANH -> tanh(x);
            case SIGMOID -> sigmoid(x);
            case HARD_SIGMOID_KERAS2 -> hardSigmoidKeras2(x);
            case HARD_SIGMOID_KERAS3 -> hardSigmoidKeras3(x);
            case RELU -> Math.max(x, 0f);
            case LINEAR -> x;
            default -> activation.apply(x);
        };
    }
}
