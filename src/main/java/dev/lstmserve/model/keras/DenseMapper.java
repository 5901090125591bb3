package dev.lstmserve.model.keras;

import dev.lstmserve.core.Dense;

/**
 * Keras' {@code Dense} ({@code keras/src/layers/core/dense.py}; Keras 1: {@code output_dim}, {@code bias}, weights
 * {@code W}, {@code b}) to a {@link Dense}: kernel {@code [F][N]}, bias {@code [N]} unless {@code use_bias=False}.
 */
final class DenseMapper {

    private DenseMapper() {
    }

    /** @param from the index of the Dense kernel among the layer's weights (0, or after a wrapper's others) */
    static Dense map(LayerConfig config, String name, int from) {
        int units = config.integer("units", "output_dim");
        boolean useBias = config.bool(true, "use_bias", "bias");
        config.expectWeights(useBias ? "kernel, bias" : "kernel", from + (useBias ? 2 : 1));
        KerasWeight kernel = config.layer().weights().get(from);
        if (kernel.rank() != 2) {
            throw config.refuse("weight " + from + " '" + kernel.name() + "' (kernel) has shape "
                    + java.util.Arrays.toString(kernel.shape()) + "; expected [input features][" + units + "]");
        }
        config.weight(from, "kernel", kernel.dim(0), units);
        float[] bias = useBias ? config.weight(from + 1, "bias", units).data() : null;
        return new Dense(name, Weights.rows(kernel), bias, config.activation("linear", "activation"));
    }
}
