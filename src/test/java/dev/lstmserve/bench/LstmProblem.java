package dev.lstmserve.bench;

import dev.lstmserve.core.Activation;
import dev.lstmserve.core.LstmLayer;
import dev.lstmserve.core.LstmWeights;

import java.util.SplittableRandom;

/**
 * One benchmark problem: Keras-layout weights and a batch of inputs, random with a fixed seed so every engine (ours,
 * the per-step ND4J loop, ONNX Runtime) and every run sees the same numbers.
 *
 * <p>Weights are drawn like Keras' defaults so the gates neither saturate nor vanish: kernel glorot-uniform
 * {@code ±sqrt(6 / (E + 4H))}, recurrent_kernel uniform with the standard deviation of an orthogonal matrix
 * ({@code ±sqrt(3 / H)}), bias small with the forget block at 1 (unit_forget_bias). Inputs are uniform in [-1, 1].
 *
 * @param kernel          {@code [E][4H]}, gate blocks i, f, c, o
 * @param recurrentKernel {@code [H][4H]}
 * @param bias            {@code [4H]}
 * @param inputs          {@code [B][T][E]}
 */
public record LstmProblem(String name, int batch, int steps, int inputSize, int units,
                   float[][] kernel, float[][] recurrentKernel, float[] bias, float[][][] inputs) {

    static final long SEED = 20240611L;

    /** The shapes the benchmarks name, B×T×E×H. */
    public static LstmProblem named(String name) {
        return switch (name) {
            case "seed-toy" -> random(name, 3, 4, 2, 2);
            case "small" -> random(name, 1, 50, 32, 64);
            case "medium" -> random(name, 32, 50, 128, 128);
            case "large" -> random(name, 64, 100, 256, 256);
            // Issue 7's target shapes.
            case "S1" -> random(name, 1, 16, 64, 128);
            case "S2" -> random(name, 8, 32, 128, 256);
            case "S3" -> random(name, 32, 64, 256, 512);
            case "S4" -> random(name, 64, 100, 512, 1024);
            default -> throw new IllegalArgumentException("shape '" + name
                    + "' is unknown; expected seed-toy, small, medium, large or S1 to S4");
        };
    }

    /**
     * @param batchSteps {@code BxT}, e.g. {@code "32x50"}
     * @param inputUnits {@code ExH}, e.g. {@code "64x128"}
     */
    static LstmProblem of(String batchSteps, String inputUnits) {
        int[] bt = pair("batchSteps", batchSteps);
        int[] eh = pair("inputUnits", inputUnits);
        return random("B" + bt[0] + " T" + bt[1] + " E" + eh[0] + " H" + eh[1], bt[0], bt[1], eh[0], eh[1]);
    }

    public static LstmProblem random(String name, int batch, int steps, int inputSize, int units) {
        SplittableRandom random = new SplittableRandom(SEED);
        int gates = 4 * units;
        float[][] kernel = uniform(random, inputSize, gates, Math.sqrt(6.0 / (inputSize + gates)));
        float[][] recurrentKernel = uniform(random, units, gates, Math.sqrt(3.0 / units));
        float[] bias = uniform(random, 1, gates, 0.1)[0];
        for (int j = units; j < 2 * units; j++) {
            bias[j] += 1f;
        }
        float[][][] inputs = new float[batch][][];
        for (int b = 0; b < batch; b++) {
            inputs[b] = uniform(random, steps, inputSize, 1.0);
        }
        return new LstmProblem(name, batch, steps, inputSize, units, kernel, recurrentKernel, bias, inputs);
    }

    /** The weights in Keras' layout, as {@link #layer()} uses them. */
    public LstmWeights weights() {
        return LstmWeights.of(kernel, recurrentKernel, bias);
    }

    /** Our engine as the service builds it for a tanh/sigmoid Keras LSTM. */
    public LstmLayer layer() {
        return new LstmLayer(weights(), Activation.TANH, Activation.SIGMOID, false);
    }

    long kernelSize() {
        return (long) inputSize * 4 * units;
    }

    @Override
    public String toString() {
        return name + " (B=" + batch + ", T=" + steps + ", E=" + inputSize + ", H=" + units + ")";
    }

    private static float[][] uniform(SplittableRandom random, int rows, int cols, double limit) {
        float[][] out = new float[rows][cols];
        for (float[] row : out) {
            for (int j = 0; j < cols; j++) {
                row[j] = (float) random.nextDouble(-limit, limit);
            }
        }
        return out;
    }

    private static int[] pair(String what, String spec) {
        String[] parts = spec.split("x");
        if (parts.length != 2) {
            throw new IllegalArgumentException(what + " '" + spec + "' is not of the form AxB");
        }
        return new int[] {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
    }
}
