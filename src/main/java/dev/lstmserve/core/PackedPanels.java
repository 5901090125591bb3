package dev.lstmserve.core;

/**
 * Weights laid out once, at load, the way {@link TileKernel#accumulate} reads them: in panels of {@code 4L} columns
 * (L = floats per vector), each panel {@code [K][4L]} contiguous, so the k loop of a register tile streams one panel
 * front to back. Columns past the matrix's last one are zero.
 *
 * <p>An LSTM's panels interleave the gates: panel p holds the i, f, c and o columns of units {@code [pL, pL + L)}, L
 * each, so one tile yields all four pre-activations of L units and the gate update runs on them straight away; the
 * 4H columns can then be split between threads by whole units. A Dense kernel's panels keep the column order.
 */
final class PackedPanels {

    private PackedPanels() {
    }

    /** Number of panels for {@code units} LSTM units. */
    static int lstmPanels(int units, int lanes) {
        return (units + lanes - 1) / lanes;
    }

    /**
     * @param weights Keras {@code [K][4H]}, gate blocks i, f, c, o
     * @return {@code [P][K][4L]}: panel p, row k, gate g, lane l holds {@code weights[k][g·H + pL + l]}
     */
    static float[] lstm(float[][] weights, int units, int lanes) {
        int rows = weights.length;
        int panels = lstmPanels(units, lanes);
        int width = 4 * lanes;
        float[] packed = new float[panels * rows * width];
        for (int p = 0; p < panels; p++) {
            int count = Math.min(lanes, units - p * lanes);
            for (int k = 0; k < rows; k++) {
                int at = (p * rows + k) * width;
                for (int g = 0; g < 4; g++) {
                    System.arraycopy(weights[k], g * units + p * lanes, packed, at + g * lanes, count);
                }
            }
        }
        return packed;
    }

    /** @return {@code [P][4L]}, the bias in the same interleaved order; zeros for {@code null} */
    static float[] lstmBias(float[] bias, int units, int lanes) {
        int panels = lstmPanels(units, lanes);
        float[] packed = new float[panels * 4 * lanes];
        if (bias != null) {
            for (int p = 0; p < panels; p++) {
                int count = Math.min(lanes, units - p * lanes);
                for (int g = 0; g < 4; g++) {
                    System.arraycopy(bias, g * units + p * lanes, packed, (p * 4 + g) * lanes, count);
                }
            }
        }
        return packed;
    }

    /** Number of panels for {@code columns} columns. */
    static int densePanels(int columns, int lanes) {
        return (columns + 4 * lanes - 1) / (4 * lanes);
    }

    /**
     * @param kernel {@code [K][N]}
     * @return {@code [ceil(N / 4L)][K][4L]}, columns in order
     */
    static float[] dense(float[][] kernel, int columns, int lanes) {
        int rows = kernel.length;
        int width = 4 * lanes;
        int panels = densePanels(columns, lanes);
        float[] packed = new float[panels * rows * width];
        for (int p = 0; p < panels; p++) {
            int count = Math.min(width, columns - p * width);
            for (int k = 0; k < rows; k++) {
                System.arraycopy(kernel[k], p * width, packed, (p * rows + k) * width, count);
            }
        }
        return packed;
    }

    /** @return {@code [ceil(N / 4L) · 4L]}, zero-padded; zeros for {@code null} */
    static float[] denseBias(float[] bias, int columns, int lanes) {
        float[] packed = new float[densePanels(columns, lanes) * 4 * lanes];
        if (bias != null) {
            System.arraycopy(bias, 0, packed, 0, columns);
        }
        return packed;
    }
}
