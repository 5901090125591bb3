package dev.lstmserve.bench;

import dev.lstmserve.core.LstmReference;
import dev.lstmserve.core.LstmResult;

/** Compares two engines' results, so no benchmark times an engine that computes something else. */
final class Parity {

    /** Largest difference tolerated between any two engines here: ONNX Runtime, ND4J and ours. */
    static final double TOLERANCE = 1e-5;

    private Parity() {
    }

    /** @return the largest |a − b| over outputs [B][T][H], h [B][H] and c [B][H] */
    static double maxAbsDiff(LstmResult a, LstmResult b) {
        double max = 0;
        for (int i = 0; i < a.outputs().length; i++) {
            max = Math.max(max, maxAbsDiff(a.outputs()[i], b.outputs()[i]));
        }
        max = Math.max(max, maxAbsDiff(a.state().h(), b.state().h()));
        return Math.max(max, maxAbsDiff(a.state().c(), b.state().c()));
    }

    /**
     * @return the largest |actual − float64 reference|, for the log
     * @throws IllegalStateException naming the engine and the problem above {@link #TOLERANCE}
     */
    static double check(String engine, LstmResult actual, LstmReference.Result reference, LstmProblem problem) {
        double diff = LstmReference.maxAbsDifference(actual, reference);
        if (!(diff <= TOLERANCE)) {
            throw new IllegalStateException(engine + " differs from the float64 reference by " + diff + " (> "
                    + TOLERANCE + ") on " + problem + "; a benchmark of it would mean nothing");
        }
        return diff;
    }

    /**
     * @return the difference, for the log
     * @throws IllegalStateException naming the engines and the problem when they differ by more than
     *                               {@link #TOLERANCE}, or their shapes differ
     */
    static double check(String engine, LstmResult actual, String reference, LstmResult expected, LstmProblem problem) {
        double diff = maxAbsDiff(actual, expected);
        if (!(diff <= TOLERANCE)) {
            throw new IllegalStateException(engine + " differs from " + reference + " by " + diff + " (> "
                    + TOLERANCE + ") on " + problem + "; a benchmark of it would mean nothing");
        }
        return diff;
    }

    private static double maxAbsDiff(float[][] a, float[][] b) {
        if (a.length != b.length) {
            throw new IllegalStateException("results have " + a.length + " and " + b.length + " rows");
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i].length != b[i].length) {
                throw new IllegalStateException("results have rows of " + a[i].length + " and " + b[i].length);
            }
            for (int j = 0; j < a[i].length; j++) {
                max = Math.max(max, Math.abs((double) a[i][j] - b[i][j]));
            }
        }
        return max;
    }
}
