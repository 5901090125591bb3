package dev.lstmserve.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import dev.lstmserve.bench.LstmProblem;

/**
 * A timing loop, not a test: one LSTM layer run with several {@link EngineOptions} interleaved in one JVM (blocks of
 * 200 ms each, 100 ms apart, the order rotating per round, every forward after a 2 ms pause, as
 * {@code EngineVsOrt} interleaves ours and ORT), to measure what an engine choice is worth on this noisy machine.
 * All variants run the same layer and weights; only the options differ. Prints the median per variant.
 *
 * <pre>
 * ./mvnw -q -Pbench test-compile exec:exec -Dbench.main=dev.lstmserve.core.EngineOptionsTiming \
 *     -Dbench.args="S3 auto fused/noahead fused/c2 30" -Dbench.jvmArgs="--add-modules jdk.incubator.vector -Xmx8g"
 * </pre>
 *
 * Arguments: a shape (a name {@link LstmProblem#named} knows, such as {@code S1}-{@code S4} of issue 7, or
 * {@code BxTxExH}, with {@link LstmProblem#random}'s weights and inputs), variants, and the seconds to measure
 * (after 4 s of warm-up). A variant is {@code auto}, {@code fused} or {@code projected}, each optionally followed by
 * {@code /c<chunks>}, {@code /b<steps per projection block>} and {@code /noahead}; a last {@code /hard} runs the
 * layer with hard_sigmoid for both activations instead of tanh and sigmoid (other numbers, the same work otherwise),
 * to measure what the exp-based activations cost.
 */
public final class EngineOptionsTiming {

    /** The variant suffix that runs hard_sigmoid for both activations. */
    private static final String HARD = "/hard";

    private EngineOptionsTiming() {
    }

    public static void main(String[] args) {
        // The benchmarks' own problems (EngineVsOrt's weights and inputs), named or BxTxExH.
        LstmProblem problem;
        if (args[0].contains("x")) {
            int[] shape = Arrays.stream(args[0].split("x")).mapToInt(Integer::parseInt).toArray();
            problem = LstmProblem.random(args[0], shape[0], shape[1], shape[2], shape[3]);
        } else {
            problem = LstmProblem.named(args[0]);
        }
        String[] variants = Arrays.copyOfRange(args, 1, args.length - 1);
        double seconds = Double.parseDouble(args[args.length - 1]);
        float[][][] inputs = problem.inputs();
        LstmLayer layer = problem.layer();
        LstmLayer[] layers = new LstmLayer[variants.length];
        for (int i = 0; i < variants.length; i++) {
            boolean hard = variants[i].endsWith(HARD);
            EngineOptions options = options(hard ? variants[i].substring(0, variants[i].length() - HARD.length())
                    : variants[i]);
            layers[i] = hard
                    ? new LstmLayer(problem.weights(), Activation.HARD_SIGMOID_KERAS2, Activation.HARD_SIGMOID_KERAS2,
                            false, options)
                    : layer.with(options);
        }
        long pause = 2_000_000L;
        long warmEnd = System.nanoTime() + 4_000_000_000L;
        while (System.nanoTime() < warmEnd) {
            for (LstmLayer l : layers) {
                l.forward(inputs, null);
                LockSupport.parkNanos(pause);
            }
        }
        List<List<Double>> times = new ArrayList<>();
        for (int i = 0; i < layers.length; i++) {
            times.add(new ArrayList<>());
        }
        long end = System.nanoTime() + (long) (seconds * 1e9);
        int rounds = 0;
        while (System.nanoTime() < end) {
            for (int j = 0; j < layers.length; j++) {
                int i = (j + rounds) % layers.length;
                long blockEnd = System.nanoTime() + 200_000_000L;
                while (System.nanoTime() < blockEnd) {
                    LockSupport.parkNanos(pause);
                    long start = System.nanoTime();
                    layers[i].forward(inputs, null);
                    times.get(i).add((System.nanoTime() - start) / 1e6);
                }
                LockSupport.parkNanos(100_000_000L);
            }
            rounds++;
        }
        StringBuilder line = new StringBuilder(args[0] + " (" + rounds + " rounds):");
        for (int i = 0; i < layers.length; i++) {
            List<Double> t = times.get(i);
            Collections.sort(t);
            line.append(String.format("  %s %.4f ms", variants[i], t.get(t.size() / 2)));
        }
        System.out.println(line);
    }

    private static EngineOptions options(String variant) {
        String[] parts = variant.split("/");
        Boolean projected = switch (parts[0]) {
            case "auto" -> null;
            case "fused" -> false;
            case "projected" -> true;
            default -> throw new IllegalArgumentException("variant " + variant);
        };
        Integer chunks = null;
        Integer blockSteps = null;
        Boolean ahead = null;
        for (int k = 1; k < parts.length; k++) {
            if (parts[k].startsWith("c")) {
                chunks = Integer.parseInt(parts[k].substring(1));
            } else if (parts[k].startsWith("b")) {
                blockSteps = Integer.parseInt(parts[k].substring(1));
            } else if (parts[k].equals("noahead")) {
                ahead = false;
            } else {
                throw new IllegalArgumentException("variant " + variant);
            }
        }
        return new EngineOptions(null, projected, chunks, blockSteps, ahead);
    }
}
