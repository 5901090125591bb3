package dev.lstmserve.bench;

import ai.onnxruntime.OrtException;
import dev.lstmserve.core.InputProjection;
import dev.lstmserve.core.LstmLayer;
import dev.lstmserve.core.LstmResult;
import dev.lstmserve.core.Nd4jNatives;
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
 * on the four reference shapes, for every engine we compare:
 *
 * <ul>
 *   <li>{@code oursJava}, {@code oursNd4j}: {@link LstmLayer} with the input projection in Java loops or ND4J GEMMs;
 *       the time loop is plain Java, on one thread, or on two batch slices where the work repays it (medium,
 *       large);</li>
 *   <li>{@code nd4jPerStep}: the seed's per-time-step ND4J loop ({@link Nd4jPerStepLstm});</li>
 *   <li>{@code ort1Thread}, {@code ortDefaultThreads}: ONNX Runtime's LSTM operator with intra-op threads 1 and ORT's
 *       default (one per core, 2 here) ({@link OrtLstm}).</li>
 * </ul>
 *
 * Each engine's state checks, before it is timed, that it computes what {@code oursJava} computes within
 * {@link Parity#TOLERANCE}, and prints the difference.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// A small fixed young generation: with a large one (-Xms4g) every request's fresh output arrays stream through GBs of
// cold memory and ORT's medium shape drifted from 2.7 to 5.8 ms within one fork; with 64 MB it holds still.
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Xmn64m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LstmForwardBenchmark {

    @State(Scope.Benchmark)
    public static class Problem {

        @Param({"seed-toy", "small", "medium", "large"})
        public String shape;

        LstmProblem problem;
        LstmResult reference;

        @Setup(Level.Trial)
        public void setUp() {
            problem = LstmProblem.named(shape);
            reference = problem.layer(InputProjection.JAVA).forward(problem.inputs(), null);
        }
    }

    @State(Scope.Benchmark)
    public static class OursJava {

        LstmLayer layer;

        @Setup(Level.Trial)
        public void setUp(Problem p) {
            layer = p.problem.layer(InputProjection.JAVA);
        }
    }

    @State(Scope.Benchmark)
    public static class OursNd4j {

        LstmLayer layer;

        @Setup(Level.Trial)
        public void setUp(Problem p) {
            Nd4jNatives.warmUp();
            layer = p.problem.layer(InputProjection.ND4J);
            report("ours ND4J projection", Parity.check("ours ND4J projection",
                    layer.forward(p.problem.inputs(), null), "ours JAVA", p.reference, p.problem), p);
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
                    lstm.forward(p.problem.inputs()), "ours JAVA", p.reference, p.problem), p);
        }
    }

    @State(Scope.Thread)
    public static class Ort1Thread {

        OrtLstm ort;

        @Setup(Level.Trial)
        public void setUp(Problem p) throws OrtException {
            ort = new OrtLstm(p.problem, 1);
            report("ORT 1 thread", Parity.check("ORT 1 thread", ort.forward(p.problem.inputs()),
                    "ours JAVA", p.reference, p.problem), p);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws OrtException {
            ort.close();
        }
    }

    @State(Scope.Thread)
    public static class OrtDefaultThreads {

        OrtLstm ort;

        @Setup(Level.Trial)
        public void setUp(Problem p) throws OrtException {
            ort = new OrtLstm(p.problem, 0);
            report("ORT default threads", Parity.check("ORT default threads", ort.forward(p.problem.inputs()),
                    "ours JAVA", p.reference, p.problem), p);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws OrtException {
            ort.close();
        }
    }

    @Benchmark
    public LstmResult oursJava(Problem p, OursJava ours) {
        return ours.layer.forward(p.problem.inputs(), null);
    }

    @Benchmark
    public LstmResult oursNd4j(Problem p, OursNd4j ours) {
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
    public LstmResult ortDefaultThreads(Problem p, OrtDefaultThreads ort) throws OrtException {
        return ort.ort.forward(p.problem.inputs());
    }

    private static void report(String engine, double diff, Problem p) {
        System.out.printf("%nparity: %s vs ours JAVA on %s: max |diff| = %.3g (tolerance %.0e)%n",
                engine, p.problem, diff, Parity.TOLERANCE);
    }
}
