package dev.lstmserve.bench;

import dev.lstmserve.core.Gemm;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
 * Where ND4J (OpenBLAS, 2 OpenMP threads) could still win inside the engine: the two products of an LSTM forward at the
 * issue-7 shapes, as one GEMM each, ND4J against the engine's {@link Gemm} (the same kernels the LSTM runs).
 *
 * <ul>
 *   <li>{@code projection}: {@code [B·T][E] · [E][4H]}, every step's input projection at once;</li>
 *   <li>{@code stepProduct}: {@code [B][H] · [H][4H]}, one step's {@code h_tm1·recurrent_kernel}.</li>
 * </ul>
 *
 * ND4J gets its best case: inputs and weights already in INDArrays, the output array reused; ours reads
 * {@code float[][]} rows and writes fresh ones. Not a bit-identity comparison: OpenBLAS rounds rows differently with
 * the number of rows (docs/PERFORMANCE.md), which is why the engine could only use it one window at a time.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Xmn64m", "--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
public class GemmVsNd4jBenchmark {

    @Param({"S1", "S2", "S3", "S4"})
    public String shape;

    @Param({"projection", "stepProduct"})
    public String product;

    private float[][] x;
    private Gemm gemm;
    private INDArray xNd4j;
    private INDArray wNd4j;
    private INDArray outNd4j;

    @Setup(Level.Trial)
    public void setUp() {
        Nd4jNatives.warmUp();
        LstmProblem problem = LstmProblem.named(shape);
        float[][] weights = product.equals("projection") ? problem.kernel() : problem.recurrentKernel();
        int rows = product.equals("projection") ? problem.batch() * problem.steps() : problem.batch();
        int depth = weights.length;
        x = new float[rows][depth];
        java.util.SplittableRandom random = new java.util.SplittableRandom(1);
        for (float[] row : x) {
            for (int k = 0; k < depth; k++) {
                row[k] = (float) random.nextDouble(-1, 1);
            }
        }
        gemm = Gemm.of(weights, null);
        xNd4j = Nd4j.create(x);
        wNd4j = Nd4j.create(weights);
        outNd4j = Nd4j.createUninitialized(DataType.FLOAT, rows, weights[0].length);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        xNd4j.close();
        wNd4j.close();
        outNd4j.close();
    }

    @Benchmark
    public float[][] ours() {
        return gemm.multiply(x);
    }

    @Benchmark
    public INDArray nd4j() {
        return xNd4j.mmul(wNd4j, outNd4j);
    }
}
