package dev.lstmserve.parity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.lstmserve.core.LstmKernelCheck;
import dev.lstmserve.core.NonFiniteOutputException;
import dev.lstmserve.core.Shapes;
import dev.lstmserve.inference.ForwardQuery;
import dev.lstmserve.inference.ForwardResult;
import dev.lstmserve.inference.InvalidInputException;
import dev.lstmserve.inference.PredictResult;
import dev.lstmserve.model.ParitySample;
import dev.lstmserve.parity.ParityReport.CaseReport;
import dev.lstmserve.parity.ParityReport.TensorCheck;

/**
 * Runs parity cases through the serving engine and compares with Keras' numbers like numpy's {@code allclose}.
 * Pure: no state, no Spring.
 */
public final class ParityChecker {

    private ParityChecker() {
    }

    public static ParityReport check(List<ParityCase> cases, double rtol, double atol) {
        List<CaseReport> reports = new ArrayList<>();
        for (ParityCase parityCase : cases) {
            reports.add(check(parityCase, rtol, atol));
        }
        return new ParityReport(reports.stream().allMatch(CaseReport::passed), rtol, atol, reports);
    }

    static CaseReport check(ParityCase parityCase, double rtol, double atol) {
        ParitySample sample = parityCase.sample();
        List<TensorCheck> checks = new ArrayList<>();
        try {
            if (sample.endpoint() == ParitySample.Endpoint.PREDICT) {
                PredictResult result = parityCase.inference().predict(query(sample));
                checks.add(compare("predict", result.outputs(), sample.expectedOutputs(), rtol, atol));
            } else {
                ForwardResult result = parityCase.inference().forward(query(sample));
                checks.add(compare("outputs", result.outputs(), sample.expectedOutputs(), rtol, atol));
                if (sample.returnState()) {
                    int carried = result.states() == null ? 1 : result.states().size();
                    int recorded = sample.expectedStates() == null ? 1 : sample.expectedStates().size();
                    if (carried != recorded) {
                        return new CaseReport(sample.name(), parityCase.model(), false, List.of(), "the run carries "
                                + carried + " state(s) but the sample records " + recorded + (carried > 1
                                ? "; record them all as expected.states, in the order /lstm/forward lists them" : ""));
                    }
                    if (sample.expectedStates() == null) {
                        checks.add(compare("h", result.h(), sample.expectedH(), rtol, atol));
                        checks.add(compare("c", result.c(), sample.expectedC(), rtol, atol));
                    } else {
                        for (int i = 0; i < carried; i++) {
                            checks.add(compare("states[" + i + "].h", result.states().get(i).h(),
                                    sample.expectedStates().get(i).h(), rtol, atol));
                            checks.add(compare("states[" + i + "].c", result.states().get(i).c(),
                                    sample.expectedStates().get(i).c(), rtol, atol));
                        }
                    }
                }
            }
        } catch (InvalidInputException | IllegalArgumentException e) {
            return new CaseReport(sample.name(), parityCase.model(), false, List.of(),
                    "the sample does not fit the model: " + e.getMessage());
        } catch (NonFiniteOutputException e) {
            return new CaseReport(sample.name(), parityCase.model(), false, List.of(), e.getMessage());
        }
        return new CaseReport(sample.name(), parityCase.model(), checks.stream().allMatch(TensorCheck::allclose),
                checks, null);
    }

    /**
     * The fast kernels of one LSTM engine against the float64 equations ({@link LstmKernelCheck}), as a case of the
     * report: named {@code engine vs float64 equations (E=.., H=..; vector kernels): <layer>}, with the largest
     * error of outputs, h and c.
     *
     * @param layer where the engine sits in the model, e.g. {@code lstm} or {@code bidirectional backward}
     */
    public static CaseReport checkKernels(String layer, String model, LstmKernelCheck check, double rtol,
                                          double atol) {
        LstmKernelCheck.Result result = check.run(rtol, atol);
        List<TensorCheck> checks = result.checks().stream()
                .map(c -> new TensorCheck(c.tensor(), c.allclose(), c.maxAbsError(), c.detail()))
                .toList();
        return new CaseReport(result.name() + ": " + layer, model, result.passed(), checks, null);
    }

    /**
     * @param actual   a nested float array
     * @param expected a nested float array of the same shape
     */
    static TensorCheck compare(String tensor, Object actual, Object expected, double rtol, double atol) {
        int[] shape = Shapes.shapeOf(actual);
        int[] expectedShape = Shapes.shapeOf(expected);
        if (!Arrays.equals(shape, expectedShape)) {
            return new TensorCheck(tensor, false, null, "shape " + Arrays.toString(shape) + " but Keras' is "
                    + Arrays.toString(expectedShape));
        }
        float[] a = Shapes.valuesOf(actual);
        float[] e = Shapes.valuesOf(expected);
        double maxAbsError = 0;
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < a.length; i++) {
            double error = Math.abs((double) a[i] - e[i]);
            if (!(error <= Double.MAX_VALUE)) {
                error = Double.POSITIVE_INFINITY;
            }
            maxAbsError = Math.max(maxAbsError, error);
            double excess = error - (atol + rtol * Math.abs((double) e[i]));
            if (excess > worstExcess) {
                worstExcess = excess;
                worst = i;
            }
        }
        if (worst < 0) {
            return new TensorCheck(tensor, true, maxAbsError, null);
        }
        return new TensorCheck(tensor, false, maxAbsError, "element " + index(worst, shape) + " is " + a[worst]
                + "; Keras: " + e[worst]);
    }

    private static String index(int flat, int[] shape) {
        int[] at = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            at[d] = flat % shape[d];
            flat /= shape[d];
        }
        StringBuilder s = new StringBuilder();
        for (int i : at) {
            s.append('[').append(i).append(']');
        }
        return s.toString();
    }

    private static ForwardQuery query(ParitySample sample) {
        double[][] h = sample.initialState() == null ? null : widen(sample.initialState().h());
        double[][] c = sample.initialState() == null ? null : widen(sample.initialState().c());
        double[][][] inputs = null;
        if (sample.inputs() != null) {
            inputs = new double[sample.inputs().length][][];
            for (int b = 0; b < inputs.length; b++) {
                inputs[b] = widen(sample.inputs()[b]);
            }
        }
        if (sample.endpoint() == ParitySample.Endpoint.PREDICT) {
            return new ForwardQuery(sample.tokens(), null, inputs, sample.initialState() == null ? null
                    : new ForwardQuery.StateQuery(h, c, null, null), null, null, null, null, null);
        }
        return new ForwardQuery(sample.tokens(), null, inputs, h, c, sample.initialState() != null,
                sample.returnSequences(), sample.returnState());
    }

    private static double[][] widen(float[][] rows) {
        double[][] out = new double[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            out[r] = new double[rows[r].length];
            for (int i = 0; i < rows[r].length; i++) {
                out[r][i] = rows[r][i];
            }
        }
        return out;
    }
}
