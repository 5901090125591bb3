package dev.lstmserve.core;

/**
 * The trained parameters of one LSTM layer in Keras layout: {@code kernel [E][4H]}, {@code recurrent_kernel [H][4H]},
 * {@code bias [4H]} (absent when the layer has {@code use_bias=False}), each 4H axis holding the gate blocks i, f, c, o
 * in that order, H columns each.
 *
 * <p>Immutable: the arrays are copied in and never handed out, so one instance serves concurrent requests.
 */
public final class LstmWeights {

    private final int inputSize;
    private final int units;
    private final float[][] kernel;
    private final float[][] recurrentKernel;
    private final float[] bias;

    private LstmWeights(int inputSize, int units, float[][] kernel, float[][] recurrentKernel, float[] bias) {
        this.inputSize = inputSize;
        this.units = units;
        this.kernel = kernel;
        this.recurrentKernel = recurrentKernel;
        this.bias = bias;
    }

    /**
     * Weights from Keras-shaped arrays.
     *
     * @param kernel           {@code [E][4H]}
     * @param recurrentKernel  {@code [H][4H]}
     * @param bias             {@code [4H]}, or {@code null} for {@code use_bias=False}
     * @throws IllegalArgumentException naming the array whose shape does not fit the others
     */
    public static LstmWeights of(float[][] kernel, float[][] recurrentKernel, float[] bias) {
        if (recurrentKernel == null || recurrentKernel.length == 0) {
            throw new IllegalArgumentException("recurrent_kernel is empty; expected [units][4*units]");
        }
        int units = recurrentKernel.length;
        int gates = 4 * units;
        if (kernel == null || kernel.length == 0) {
            throw new IllegalArgumentException("kernel is empty; expected [input_size][" + gates + "]");
        }
        Shapes.checkColumns("kernel", kernel, gates);
        Shapes.checkColumns("recurrent_kernel", recurrentKernel, gates);
        if (bias != null && bias.length != gates) {
            throw new IllegalArgumentException("bias has " + bias.length + " values; expected " + gates
                    + " (4 * units, units = " + units + " from recurrent_kernel [" + units + "][" + gates + "])");
        }
        return new LstmWeights(kernel.length, units, Shapes.copy(kernel), Shapes.copy(recurrentKernel),
                bias == null ? null : bias.clone());
    }

    /** E, the size of one input step. */
    public int inputSize() {
        return inputSize;
    }

    /** H, the number of units. */
    public int units() {
        return units;
    }

    public boolean useBias() {
        return bias != null;
    }

    /** {@code kernel [E][4H]} as a fresh copy. */
    public float[][] kernel() {
        return Shapes.copy(kernel);
    }

    /** {@code recurrent_kernel [H][4H]} as a fresh copy. */
    public float[][] recurrentKernel() {
        return Shapes.copy(recurrentKernel);
    }

    /** {@code bias [4H]} as a fresh copy, or {@code null} without bias. */
    public float[] bias() {
        return bias == null ? null : bias.clone();
    }

    // Views for the engine in this package; never written to. Rows stay separate arrays: the JIT vectorises a
    // loop over one weight row and one output row indexed alike (measured 4x faster than offsets into one array).
    float[][] kernelRows() {
        return kernel;
    }

    float[][] recurrentKernelRows() {
        return recurrentKernel;
    }

    float[] biasData() {
        return bias;
    }
}
