package dev.lstmserve.bench;

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
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Where {@link InputProjection#ND4J} starts to beat {@link InputProjection#JAVA}: a whole forward pass with each, over
 * kernel sizes E·4H from 4 Ki to 256 Ki values, for a single short window (B=1, T=10), a typical batch (B=32, T=50)
 * and a single long window (B=1, T=256). The time loop is the same code in both, so the difference is the projection.
 * AUTO picks by one window's work T·E·4H ({@link InputProjection#GEMM_MIN_WINDOW_WORK}, 2^26: the 1x256, 256x256
 * case sits exactly on it), never by the batch, so the threshold must hold for every batch shape.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// A small fixed young generation: with a large one (-Xms4g) every request's fresh output arrays stream through GBs of
// cold memory and ORT's medium shape drifted from 2.7 to 5.8 ms within one fork; with 64 MB it holds still.
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Xmn64m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
public class ProjectionCrossoverBenchmark {

    @Param({"1x10", "32x50", "1x256"})
    public String batchSteps;

    /** E×H; E·4H = 4 Ki, 16 Ki, 32 Ki, 64 Ki, 128 Ki, 256 Ki. */
    @Param({"32x32", "64x64", "64x128", "128x128", "128x256", "256x256"})
    public String inputUnits;

    private LstmProblem problem;
    private LstmLayer java;
    private LstmLayer nd4j;

    @Setup(Level.Trial)
    public void setUp() {
        Nd4jNatives.warmUp();
        problem = LstmProblem.of(batchSteps, inputUnits);
        java = problem.layer(InputProjection.JAVA);
        nd4j = problem.layer(InputProjection.ND4J);
        Parity.check("ours ND4J projection", nd4j.forward(problem.inputs(), null),
                "ours JAVA", java.forward(problem.inputs(), null), problem);
    }

    @Benchmark
    public LstmResult java() {
        return java.forward(problem.inputs(), null);
    }

    @Benchmark
    public LstmResult nd4j() {
        return nd4j.forward(problem.inputs(), null);
    }
}
