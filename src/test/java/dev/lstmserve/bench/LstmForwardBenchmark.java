package dev.lstmserve.bench;

import ai.onnxruntime.OrtException;
import dev.lstmserve.core.LstmLayer;
import dev.lstmserve.core.LstmReference;
import dev.lstmserve.core.LstmResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * One forward pass of one LSTM layer, from {@code float[B][T][E]} in to {@code float[B][T][H]} (and final h, c) out,
 * for every engine we compare, one JMH fork per engine and shape (for profiling with {@code -prof}; issue 7's
 * interleaved comparison is {@link EngineVsOrt}):
 *
 * <ul>
 *   <li>{@code ours}: {@link LstmLayer} as the service runs it;</li>
 *   <li>{@code nd4jPerStep}: the seed's per-time-step ND4J loop ({@link Nd4jPerStepLstm});</li>
 *   <li>{@code ortAllCores}, {@code ort1Thread}: ONNX Runtime's LSTM operator with intra-op threads = available cores
 *       (the way a user runs it) and 1 ({@link OrtLstm}).</li>
 * </ul>
 *
 * Each engine's state checks, before it is timed, that it computes what the float64 reference
 * ({@link LstmReference}) computes within {@link Parity#TOLERANCE}, and prints the difference.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// A small fixed young generation: with a large one (-Xms4g) every request's fresh output arrays stream through GBs of
// cold memory and ORT's medium shape drifted from 2.7 to 5.8 ms within one fork; with 64 MB it holds still. The
// Vector API module for our kernels (the fork does not inherit the launching JVM's options).
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Xmn64m", "--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LstmForwardBenchmark {

    @State(Scope.Benchmark)
    public static class Problem {

        @Param({"seed-toy", "S1", "S2", "S3", "S4"})
        public String shape;

        LstmProblem problem;
        LstmReference.Result reference;

        @Setup(Level.Trial)
        public void setUp() {
            problem = LstmProblem.named(shape);
            reference = LstmReference.of(problem.layer()).forward(problem.inputs(), null, null);
        }
    }

    @State(Scope.Benchmark)
    public static class Ours {

        LstmLayer layer;

        @Setup(Level.Trial)
        public void setUp(Problem p) {
            layer = p.problem.layer();
            report("ours", Parity.check("ours", layer.forward(p.problem.inputs(), null), p.reference, p.problem), p);
        }
    }

    @State(Scope.Benchmark)
    public static class Nd4jPerStep {

        Nd4jPerStepLstm lstm;

        @Setup(Level.Trial)
        public void setUp(Problem p) {
            Nd4jNatives.warmUp();
            lstm = new Nd4jPerStepLstm(p.problem);
            report("ND4J per-step loop", Parity.check("ND4J per-step loop",
                    lstm.forward(p.problem.inputs()), p.reference, p.problem), p);
        }
    }

    @State(Scope.Thread)
    public static class Ort1Thread {

        OrtLstm ort;

        @Setup(Level.Trial)
        public void setUp(Problem p) throws OrtException {
            ort = new OrtLstm(p.problem, 1);
            report("ORT 1 thread", Parity.check("ORT 1 thread", ort.forward(p.problem.inputs()),
                    p.reference, p.problem), p);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws OrtException {
            ort.close();
        }
    }

    @State(Scope.Thread)
    public static class OrtAllCores {

        OrtLstm ort;

        @Setup(Level.Trial)
        public void setUp(Problem p) throws OrtException {
            ort = new OrtLstm(p.problem, Runtime.getRuntime().availableProcessors());
            report("ORT all cores", Parity.check("ORT all cores", ort.forward(p.problem.inputs()),
                    p.reference, p.problem), p);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws OrtException {
            ort.close();
        }
    }

    @Benchmark
    public LstmResult ours(Problem p, Ours ours) {
        return ours.layer.forward(p.problem.inputs(), null);
    }

    @Benchmark
    public LstmResult nd4jPerStep(Problem p, Nd4jPerStep naive) {
        return naive.lstm.forward(p.problem.inputs());
    }

    @Benchmark
    public LstmResult ort1Thread(Problem p, Ort1Thread ort) throws OrtException {
        return ort.ort.forward(p.problem.inputs());
    }

    @Benchmark
    public LstmResult ortAllCores(Problem p, OrtAllCores ort) throws OrtException {
        return ort.ort.forward(p.problem.inputs());
    }

    private static void report(String engine, double diff, Problem p) {
        System.out.printf("%nparity: %s vs float64 on %s: max |diff| = %.3g (tolerance %.0e)%n",
                engine, p.problem, diff, Parity.TOLERANCE);
    }
}
