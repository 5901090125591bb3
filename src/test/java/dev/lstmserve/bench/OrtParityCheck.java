package dev.lstmserve.bench;

import dev.lstmserve.core.InputProjection;
import dev.lstmserve.core.LstmResult;
import dev.lstmserve.core.Nd4jNatives;

/**
 * Checks, without JUnit and without timing anything, that every engine the benchmarks compare computes the same LSTM
 * on the benchmark shapes: ONNX Runtime (1 thread and default threads), the per-step ND4J loop and our ND4J
 * projection, each against our JAVA engine. Prints the largest |difference| over outputs, h and c, and exits
 * non-zero above {@link Parity#TOLERANCE}.
 *
 * <pre>./mvnw -q -Pbench test-compile exec:exec -Dbench.main=dev.lstmserve.bench.OrtParityCheck -Dbench.args=</pre>
 */
public final class OrtParityCheck {

    private OrtParityCheck() {
    }

    public static void main(String[] args) throws Exception {
        Nd4jNatives.warmUp();
        boolean ok = true;
        for (String shape : new String[] {"seed-toy", "small", "medium", "large"}) {
            LstmProblem problem = LstmProblem.named(shape);
            LstmResult ours = problem.layer(InputProjection.JAVA).forward(problem.inputs(), null);
            System.out.println(problem);
            ok &= line("ORT 1 thread", ort(problem, 1), ours);
            ok &= line("ORT default threads", ort(problem, 0), ours);
            ok &= line("ND4J per-step loop", new Nd4jPerStepLstm(problem).forward(problem.inputs()), ours);
            ok &= line("ours ND4J projection", problem.layer(InputProjection.ND4J).forward(problem.inputs(), null), ours);
        }
        System.out.println(ok ? "parity: all engines within " + Parity.TOLERANCE : "parity: FAILED");
        System.exit(ok ? 0 : 1);
    }

    private static LstmResult ort(LstmProblem problem, int threads) throws Exception {
        try (OrtLstm ort = new OrtLstm(problem, threads)) {
            ort.forward(problem.inputs());
            return ort.forward(problem.inputs()); // twice: the pinned buffers must survive a run
        }
    }

    private static boolean line(String engine, LstmResult result, LstmResult ours) {
        double diff = Parity.maxAbsDiff(result, ours);
        boolean ok = diff <= Parity.TOLERANCE;
        System.out.printf("  %-22s max |diff| vs ours JAVA = %.3g %s%n", engine, diff, ok ? "ok" : "FAIL");
        return ok;
    }
}
