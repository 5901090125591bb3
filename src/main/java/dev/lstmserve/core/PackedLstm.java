package dev.lstmserve.core;

/**
 * An LSTM layer's weights packed once, at load, for {@link TileKernel}: {@code kernel [P][E][4L]},
 * {@code recurrentKernel [P][H][4L]}, {@code bias [P][4L]} with P = ⌈H / L⌉ panels of L units, gates interleaved
 * ({@link PackedPanels#lstm}).
 */
record PackedLstm(int inputSize, int units, int lanes, int panels, float[] kernel, float[] recurrentKernel,
                  float[] bias) {

    static PackedLstm of(LstmWeights weights, int lanes) {
        int units = weights.units();
        return new PackedLstm(weights.inputSize(), units, lanes, PackedPanels.lstmPanels(units, lanes),
                PackedPanels.lstm(weights.kernelRows(), units, lanes),
                PackedPanels.lstm(weights.recurrentKernelRows(), units, lanes),
                PackedPanels.lstmBias(weights.biasData(), units, lanes));
    }

    /** Floats per panel row, 4L. */
    int width() {
        return 4 * lanes;
    }

    /** Where panel p of the kernel starts. */
    int kernelPanel(int p) {
        return p * inputSize * width();
    }

    /** Where panel p of the recurrent kernel starts. */
    int recurrentPanel(int p) {
        return p * units * width();
    }
}
