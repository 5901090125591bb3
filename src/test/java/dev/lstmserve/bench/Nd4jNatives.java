package dev.lstmserve.bench;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J's native libraries, for the benchmarks (the service does not use ND4J): loading them costs ~2 s and, the first
 * time on a machine, unpacks ~400 MB.
 */
public final class Nd4jNatives {

    private Nd4jNatives() {
    }

    /** Loads the natives and runs one small GEMM, so the first large request does not pay for it. */
    public static void warmUp() {
        try (INDArray a = Nd4j.ones(DataType.FLOAT, 2, 2)) {
            a.mmul(a).close();
        }
    }

    /** Unpacks the natives into {@code -Dorg.bytedeco.javacpp.cachedir}, e.g. while building a container image. */
    public static void main(String[] args) {
        warmUp();
        System.out.println("ND4J natives ready (" + Nd4j.getBackend().getClass().getSimpleName() + ")");
    }
}
