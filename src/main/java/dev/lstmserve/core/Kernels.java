package dev.lstmserve.core;

import java.lang.System.Logger.Level;
import java.util.Locale;

/**
 * Picks the engine's {@link TileKernel} once per JVM: the Vector API kernel when the JVM runs with
 * {@code --add-modules jdk.incubator.vector} and its preferred vectors hold at least 8 floats (AVX2 or wider), else
 * the scalar fallback. Both compute the same bits; the choice is logged once.
 *
 * <p>{@code -Dlstm.kernel=scalar} forces the scalar fallback (the build runs the core tests once that way).
 * {@link VectorTileKernel} is loaded by name, only when the module is present, so a JVM without the module never
 * loads a class that refers to it.
 */
final class Kernels {

    private static final System.Logger LOG = System.getLogger(Kernels.class.getName());
    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    /** The Vector API kernel, or {@code null} when the module is absent, too narrow, or switched off. */
    static final TileKernel VECTOR;
    /** The Vector API kernel when it loaded and is wide enough, even if switched off: tests compare it. */
    private static final TileKernel LOADED_VECTOR;
    /** The scalar fallback, with the vector kernel's lane count (so both share one weight packing). */
    static final TileKernel SCALAR;
    /** Why the vector kernel is not used, or {@code null}. */
    private static final String WHY_SCALAR;

    /** For tests: a kernel to use instead of the detected one; {@code null} for the detected one. */
    static volatile TileKernel forced;

    static {
        TileKernel vector = null;
        String why = null;
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            why = "the JVM runs without --add-modules " + VECTOR_MODULE;
        } else {
            try {
                vector = (TileKernel) Class.forName("dev.lstmserve.core.VectorTileKernel")
                        .getDeclaredConstructor().newInstance();
                if (vector.lanes < 8) {
                    why = "the CPU's preferred vectors hold " + vector.lanes + " floats (fewer than 8)";
                }
            } catch (ReflectiveOperationException | LinkageError e) {
                why = "the Vector API kernel did not load (" + e + ")";
                vector = null;
            }
        }
        String requested = System.getProperty("lstm.kernel", "").trim().toLowerCase(Locale.ROOT);
        if (why == null && requested.equals("scalar")) {
            why = "-Dlstm.kernel=scalar";
        }
        int lanes = vector != null ? vector.lanes : 16;
        LOADED_VECTOR = vector != null && vector.lanes >= 8 ? vector : null;
        VECTOR = why == null ? vector : null;
        SCALAR = new ScalarTileKernel(lanes);
        WHY_SCALAR = why;
        if (why == null) {
            LOG.log(Level.INFO, "LSTM engine: Vector API kernels, {0} floats per vector", lanes);
        } else {
            LOG.log(Level.WARNING, "LSTM engine: scalar kernels (several times slower) because {0}", why);
        }
    }

    private Kernels() {
    }

    /** The kernel the engine uses now. */
    static TileKernel active() {
        TileKernel kernel = forced;
        if (kernel != null) {
            return kernel;
        }
        return VECTOR != null ? VECTOR : SCALAR;
    }

    /** Every kernel this JVM can run (the vector one first, when it loaded), for tests that compare them. */
    static java.util.List<TileKernel> available() {
        return LOADED_VECTOR == null ? java.util.List.of(SCALAR) : java.util.List.of(LOADED_VECTOR, SCALAR);
    }

    /** Floats per vector for packing weights; the same for both kernels. */
    static int lanes() {
        return SCALAR.lanes;
    }

    /** One line for logs and reports: which kernel runs, and why not the vector one. */
    static String describe() {
        TileKernel kernel = active();
        return kernel.name() + " kernels, " + kernel.lanes + " floats per vector"
                + (kernel == SCALAR && WHY_SCALAR != null ? " (" + WHY_SCALAR + ")" : "");
    }
}
