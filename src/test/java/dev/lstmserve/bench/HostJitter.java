package dev.lstmserve.bench;

/**
 * A measurement, not a test: how much of each CPU the host takes away. One spinning thread per argument's count
 * reads {@link System#nanoTime()} back to back for 5 s and records every gap over 5 µs (time the thread did not run:
 * an interrupt, the hypervisor, another tenant); prints per thread the gaps' count, total share and sizes, and, for
 * two threads, how many of the first thread's gaps overlap one of the second's (both CPUs stopped at once).
 *
 * <pre>
 * ./mvnw -q -Pbench test-compile exec:exec -Dbench.main=dev.lstmserve.bench.HostJitter -Dbench.args=2
 * </pre>
 */
public final class HostJitter {

    private static final long GAP_NANOS = 5_000;
    private static final long RUN_NANOS = 5_000_000_000L;
    private static final int MAX_GAPS = 500_000;

    private HostJitter() {
    }

    public static void main(String[] args) throws InterruptedException {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        long[][] starts = new long[threads][MAX_GAPS];
        long[][] lengths = new long[threads][MAX_GAPS];
        int[] counts = new int[threads];
        long begin = System.nanoTime() + 200_000_000L;
        Thread[] spinners = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            int me = i;
            spinners[i] = new Thread(() -> {
                while (System.nanoTime() < begin) {
                    Thread.onSpinWait();
                }
                long previous = System.nanoTime();
                int n = 0;
                while (previous < begin + RUN_NANOS) {
                    long now = System.nanoTime();
                    if (now - previous > GAP_NANOS && n < MAX_GAPS) {
                        starts[me][n] = previous;
                        lengths[me][n] = now - previous;
                        n++;
                    }
                    previous = now;
                }
                counts[me] = n;
            });
            spinners[i].start();
        }
        for (Thread t : spinners) {
            t.join();
        }
        long[] bounds = {10_000, 20_000, 50_000, 100_000, 1_000_000, Long.MAX_VALUE};
        for (int i = 0; i < threads; i++) {
            long total = 0;
            int[] histogram = new int[bounds.length];
            for (int k = 0; k < counts[i]; k++) {
                total += lengths[i][k];
                int b = 0;
                while (lengths[i][k] >= bounds[b]) {
                    b++;
                }
                histogram[b]++;
            }
            System.out.printf("thread %d: %d gaps over 5 µs in %d s, %.1f ms in all (%.2f %% of the time); "
                    + "5-10 µs %d, 10-20 µs %d, 20-50 µs %d, 50-100 µs %d, 0.1-1 ms %d, over 1 ms %d%n", i, counts[i],
                    RUN_NANOS / 1_000_000_000L, total / 1e6, 100.0 * total / RUN_NANOS, histogram[0], histogram[1],
                    histogram[2], histogram[3], histogram[4], histogram[5]);
        }
        if (threads == 2) {
            int overlapping = 0;
            int j = 0;
            for (int k = 0; k < counts[0]; k++) {
                long start = starts[0][k];
                long end = start + lengths[0][k];
                while (j < counts[1] && starts[1][j] + lengths[1][j] <= start) {
                    j++;
                }
                if (j < counts[1] && starts[1][j] < end) {
                    overlapping++;
                }
            }
            System.out.printf("gaps of thread 0 overlapping a gap of thread 1: %d of %d%n", overlapping, counts[0]);
        }
    }
}
