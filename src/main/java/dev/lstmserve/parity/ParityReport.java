package dev.lstmserve.parity;

import java.util.List;

/**
 * The outcome of a parity run, as {@code GET /parity} reports it.
 *
 * @param passed every case passed
 */
public record ParityReport(boolean passed, double rtol, double atol, List<CaseReport> cases) {

    /**
     * @param model  the model the case ran on
     * @param error  why the case could not run at all, or {@code null}
     */
    public record CaseReport(String name, String model, boolean passed, List<TensorCheck> checks, String error) {
    }

    /**
     * One tensor compared with numpy's {@code allclose}: {@code |actual - expected| ≤ atol + rtol·|expected|} for
     * every element.
     *
     * @param maxAbsError the largest {@code |actual - expected|}, or {@code null} when the shapes differ
     * @param detail      what did not match (the shape, or the worst element), or {@code null}
     */
    public record TensorCheck(String tensor, boolean allclose, Double maxAbsError, String detail) {
    }
}
