package dev.lstmserve.core;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Proves, for a loaded layer, that its fast kernels compute Keras' equations: runs {@link LstmLayer#forward} exactly as
 * the service does and {@link LstmReference} (float64, plain loops) on the same deterministic inputs shaped like the
 * layer's (its E and H), and compares them like numpy's {@code allclose}. A model that carries no Keras samples is
 * then still proven to run through the fast kernels as through the equations, at start-up and at {@code /parity}.
 *
 * <p>The inputs cross the kernels' boundaries: a single window of 4 steps with no state (the 1-row tile), and a batch
 * of 7 windows of 6 steps (a 6-row tile plus a 1-row tile) with a {@code [B][H]} initial state and a mask with masked
 * steps at the start, in the middle and at the end of windows. Inputs are uniform in [−1, 1] and the states in
 * [−0.5, 0.5], from a fixed seed. Pure: no state, no Spring.
 */
public final class LstmKernelCheck {

    private static final long SEED = 0x5EED_1257L;

    private final LstmLayer layer;
    private final List<Run> runs;

    private LstmKernelCheck(LstmLayer layer, List<Run> runs) {
        this.layer = layer;
        this.runs = runs;
    }

    /**
     * One compared tensor over both runs.
     *
     * @param tensor      {@code outputs}, {@code h} or {@code c}
     * @param maxAbsError the largest |fast − float64|
     * @param detail      on failure, the worst element: run, index, fast and float64 values; else {@code null}
     */
    public record Check(String tensor, boolean allclose, double maxAbsError, String detail) {
    }

    /**
     * @param name    e.g. {@code engine vs float64 equations (E=64, H=128; vector kernels)}
     * @param kernels which kernels ran: {@code vector} or {@code scalar}
     */
    public record Result(String name, String kernels, boolean passed, List<Check> checks) {

        /** The largest |fast − float64| over all tensors. */
        public double maxAbsError() {
            return checks.stream().mapToDouble(Check::maxAbsError).max().orElse(0);
        }
    }

    /**
     * The check of {@code layer}: its inputs and their float64 results are computed here, once (the weights never
     * change), so that each {@link #run} only runs the fast kernels; for a layer of E = 512, H = 1024 the float64
     * equations take most of a second, and {@code /parity} runs the check on every call.
     */
    public static LstmKernelCheck of(LstmLayer layer) {
        return of(layer, LstmReference.of(layer));
    }

    /** Against another reference: lets a test prove the check fails when the two differ. */
    static LstmKernelCheck of(LstmLayer layer, LstmReference reference) {
        int inputSize = layer.weights().inputSize();
        int units = layer.weights().units();
        SplittableRandom random = new SplittableRandom(SEED);

        float[][][] single = uniform(random, 1, 4, inputSize, 1.0);
        int batch = 7;
        int steps = 6;
        float[][][] inputs = uniform(random, batch, steps, inputSize, 1.0);
        LstmState state = new LstmState(uniform(random, 1, batch, units, 0.5)[0],
                uniform(random, 1, batch, units, 0.5)[0]);
        boolean[][] mask = new boolean[batch][steps];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                // Row 1 starts masked, row 3 has a gap, row 5 ends masked, row 6 is masked throughout.
                mask[b][t] = !(b == 1 && t < 2 || b == 3 && t == 3 || b == 5 && t == steps - 1 || b == 6);
            }
        }
        return new LstmKernelCheck(layer, List.of(
                new Run("B=1 T=4", single, null, null, reference.forward(single, null, null)),
                new Run("B=7 T=6 masked, with initial state", inputs, mask, state,
                        reference.forward(inputs, mask, state))));
    }

    /**
     * Runs the fast kernels on the check's inputs and compares them with the float64 results.
     *
     * @param rtol relative tolerance, as numpy's allclose: {@code |fast − ref| ≤ atol + rtol·|ref|}
     * @param atol absolute tolerance
     */
    public Result run(double rtol, double atol) {
        List<Comparison> comparisons = new ArrayList<>();
        for (Run run : runs) {
            comparisons.add(new Comparison(run.name(), layer.forward(run.inputs(), run.mask(), run.state()),
                    run.reference()));
        }
        List<Check> checks = List.of(
                compare("outputs", comparisons, rtol, atol, Tensor.OUTPUTS),
                compare("h", comparisons, rtol, atol, Tensor.H),
                compare("c", comparisons, rtol, atol, Tensor.C));
        String kernels = Kernels.active().name();
        String name = "engine vs float64 equations (E=" + layer.weights().inputSize() + ", H="
                + layer.weights().units() + "; " + kernels + " kernels)";
        return new Result(name, kernels, checks.stream().allMatch(Check::allclose), checks);
    }

    /** One of the check's runs: its inputs and their float64 results. */
    private record Run(String name, float[][][] inputs, boolean[][] mask, LstmState state,
                       LstmReference.Result reference) {
    }

    private enum Tensor { OUTPUTS, H, C }

    private record Comparison(String run, LstmResult fast, LstmReference.Result reference) {
    }

    private static Check compare(String tensor, List<Comparison> comparisons, double rtol, double atol, Tensor which) {
        double maxAbsError = 0;
        double worstExcess = 0;
        String detail = null;
        for (Comparison comparison : comparisons) {
            float[][][] fast = switch (which) {
                case OUTPUTS -> comparison.fast().outputs();
                case H -> new float[][][] {comparison.fast().state().h()};
                case C -> new float[][][] {comparison.fast().state().c()};
            };
            double[][][] ref = switch (which) {
                case OUTPUTS -> comparison.reference().outputs();
                case H -> new double[][][] {comparison.reference().h()};
                case C -> new double[][][] {comparison.reference().c()};
            };
            for (int i = 0; i < fast.length; i++) {
                for (int j = 0; j < fast[i].length; j++) {
                    for (int k = 0; k < fast[i][j].length; k++) {
                        double error = Math.abs(fast[i][j][k] - ref[i][j][k]);
                        if (overflowsAlike(fast[i][j][k], ref[i][j][k])) {
                            // Beyond float32's range in both: Keras' float32 overflows there too (then refused
                            // as a non-finite output), so the kernels agree with the equations.
                            error = 0;
                        } else if (Double.isNaN(error)) {
                            error = Double.POSITIVE_INFINITY;
                        }
                        maxAbsError = Math.max(maxAbsError, error);
                        double excess = error - (atol + rtol * Math.abs(ref[i][j][k]));
                        if (excess > worstExcess) {
                            worstExcess = excess;
                            String index = which == Tensor.OUTPUTS ? "[" + i + "][" + j + "][" + k + "]"
                                    : "[" + j + "][" + k + "]";
                            detail = comparison.run() + ": " + tensor + index + " is " + fast[i][j][k]
                                    + "; float64 equations: " + ref[i][j][k];
                        }
                    }
                }
            }
        }
        return new Check(tensor, detail == null, maxAbsError, detail);
    }

    /** An infinite float32 value where the float64 value is beyond float32's range, with the same sign. */
    static boolean overflowsAlike(float fast, double reference) {
        return Float.isInfinite(fast) && Math.abs(reference) > Float.MAX_VALUE
                && Math.signum(fast) == Math.signum(reference);
    }

    private static float[][][] uniform(SplittableRandom random, int a, int b, int c, double limit) {
        float[][][] out = new float[a][b][c];
        for (float[][] matrix : out) {
            for (float[] row : matrix) {
                for (int k = 0; k < c; k++) {
                    row[k] = (float) random.nextDouble(-limit, limit);
                }
            }
        }
        return out;
    }
}
