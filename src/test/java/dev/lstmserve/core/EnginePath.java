package dev.lstmserve.core;

/**
 * The ways {@link LstmLayer} can run a forward pass, for tests parameterised by them: the automatic choice, each
 * input-projection path forced (the projection also in blocks of 2 time steps, as long windows get it), and every
 * step split across the helper threads however small (fused too, where waiting threads compute x parts ahead). All
 * must give the same bits. Each runs on the JVM's kernel: the Vector API in the default test run, the scalar fallback
 * in the {@code scalar-kernels} run (pom.xml).
 */
enum EnginePath {

    AUTO(EngineOptions.AUTO),
    FUSED(new EngineOptions(null, false, null, null)),
    PROJECTED(new EngineOptions(null, true, null, null)),
    PROJECTED_IN_BLOCKS_OF_2_STEPS(new EngineOptions(null, true, null, 2)),
    ONE_THREAD(new EngineOptions(null, null, 1, null)),
    SPLIT_ACROSS_THREADS(new EngineOptions(null, null, Integer.MAX_VALUE, null)),
    /** Fused and split per panel: a thread waiting at a step's end computes its next x parts ahead. */
    FUSED_SPLIT_ACROSS_THREADS(new EngineOptions(null, false, Integer.MAX_VALUE, null));

    final EngineOptions options;

    EnginePath(EngineOptions options) {
        this.options = options;
    }
}
