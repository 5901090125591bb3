package dev.lstmserve.model.keras;

import dev.lstmserve.core.Activation;
import dev.lstmserve.core.Lstm;
import dev.lstmserve.core.LstmLayer;
import dev.lstmserve.core.LstmWeights;
import tools.jackson.databind.JsonNode;

/**
 * Keras' {@code LSTM} ({@code keras/src/layers/rnn/lstm.py}, tf.keras and Keras 2 {@code keras/layers/recurrent.py},
 * Keras 1.2 {@code keras/layers/recurrent.py}) and {@code RNN(cell=LSTMCell)} to an {@link Lstm}.
 *
 * <ul>
 *   <li>Keras 2 and 3: {@code units}, {@code activation}, {@code recurrent_activation}, {@code use_bias},
 *       {@code go_backwards}, {@code return_sequences}, {@code return_state}; weights kernel {@code [E][4H]},
 *       recurrent_kernel {@code [H][4H]}, bias {@code [4H]} (absent with {@code use_bias=False}), gate blocks i, f, c,
 *       o. {@code stateful}, {@code unroll}, {@code implementation}, {@code dropout}, {@code recurrent_dropout} and
 *       {@code unit_forget_bias} only matter for training or speed.</li>
 *   <li>Keras 1: {@code output_dim} and {@code inner_activation}; the weights are 12 arrays {@code W_i, U_i, b_i, W_c,
 *       U_c, b_c, W_f, U_f, b_f, W_o, U_o, b_o} (gate order i, c, f, o: its {@code trainable_weights}), or with
 *       {@code consume_less="gpu"} three arrays W {@code [E][4H]}, U, b already in i, f, c, o order; assembled here into
 *       Keras 2's layout.</li>
 * </ul>
 */
final class LstmMapper {

    private LstmMapper() {
    }

    /**
     * @param config        the LSTM's config (an RNN's cell config for {@code RNN(cell=LSTMCell)})
     * @param rnnConfig     the layer's own config for {@code return_sequences} and {@code go_backwards} (the RNN's,
     *                      or the LSTM's own)
     * @param weightsFrom   the index of this LSTM's first weight in the layer's weights (a Bidirectional layer's
     *                      backward LSTM starts after the forward one's)
     * @param weightCount   how many weights this LSTM has
     */
    static Lstm map(LayerConfig config, LayerConfig rnnConfig, String name, String className, int weightsFrom,
                    int weightCount) {
        int units = config.integer("units", "output_dim");
        if (units <= 0) {
            throw config.refuse("units = " + units + " must be positive");
        }
        boolean keras1 = config.field("units") == null && config.field("output_dim") != null;
        Activation activation = config.activation("tanh", "activation");
        String recurrentDefault = null;
        if (config.field("recurrent_activation", "inner_activation") == null) {
            try {
                recurrentDefault = config.version().recurrentActivationDefault(name);
            } catch (IllegalArgumentException e) {
                throw config.refuse(e.getMessage());
            }
        }
        Activation recurrent = config.activation(recurrentDefault, "recurrent_activation", "inner_activation");
        for (Activation a : new Activation[] {activation, recurrent}) {
            if (!a.isElementWise()) {
                throw config.refuse(a.kerasName() + " as an LSTM activation is not servable (it is not element-wise)");
            }
        }
        boolean useBias = config.bool(true, "use_bias", "bias");
        KerasLayerSpec layer = config.layer();
        LstmWeights weights;
        if (weightCount == 12) {
            weights = keras1Split(config, weightsFrom, units);
        } else if (weightCount == 3 || (weightCount == 2 && !useBias)) {
            KerasWeight kernel = layer.weights().get(weightsFrom);
            if (kernel.rank() != 2) {
                throw config.refuse("weight " + weightsFrom + " '" + kernel.name() + "' (kernel) has shape "
                        + java.util.Arrays.toString(kernel.shape()) + "; expected [input features][" + 4 * units + "]");
            }
            int e = kernel.dim(0);
            weights = LstmWeights.of(
                    Weights.rows(config.weight(weightsFrom, "kernel", e, 4 * units)),
                    Weights.rows(config.weight(weightsFrom + 1, "recurrent_kernel", units, 4 * units)),
                    useBias ? config.weight(weightsFrom + 2, "bias", 4 * units).data() : null);
        } else {
            throw config.refuse("has " + weightCount + " weight arrays for its LSTM; expected kernel, recurrent_kernel"
                    + (useBias ? ", bias" : "") + (keras1 ? " (or Keras 1's 12 arrays W_i, U_i, b_i, ...)" : ""));
        }
        boolean returnSequences = rnnConfig.bool(false, "return_sequences");
        boolean returnState = rnnConfig.bool(false, "return_state");
        boolean goBackwards = rnnConfig.bool(false, "go_backwards");
        JsonNode timeMajor = rnnConfig.field("time_major");
        if (timeMajor != null && timeMajor.asBoolean(false)) {
            throw rnnConfig.refuse("time_major = true takes inputs [time][batch][features]; lstm-serve takes Keras'"
                    + " default [batch][time][features]");
        }
        return new Lstm(name, className, new LstmLayer(weights, activation, recurrent, goBackwards),
                returnSequences, returnState);
    }

    /**
     * Keras 1's 12 arrays {@code W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o, b_o} (Keras 1.2
     * {@code LSTM.build}: {@code trainable_weights} in that order) as Keras 2's kernel, recurrent_kernel and bias with
     * gate blocks i, f, c, o.
     */
    private static LstmWeights keras1Split(LayerConfig config, int from, int units) {
        KerasWeight wi = config.layer().weights().get(from);
        if (wi.rank() != 2) {
            throw config.refuse("weight " + from + " '" + wi.name() + "' (W_i) has shape "
                    + java.util.Arrays.toString(wi.shape()) + "; expected [input features][" + units + "]");
        }
        int e = wi.dim(0);
        // Stored order: i, c, f, o. Keras 2's blocks: i, f, c, o.
        int[] storedBlock = {0, 2, 1, 3};
        float[][] kernel = new float[e][4 * units];
        float[][] recurrent = new float[units][4 * units];
        float[] bias = new float[4 * units];
        String[] gates = {"i", "c", "f", "o"};
        for (int g = 0; g < 4; g++) {
            int block = storedBlock[g];
            int at = from + 3 * g;
            float[][] w = Weights.rows(config.weight(at, "W_" + gates[g], e, units));
            float[][] u = Weights.rows(config.weight(at + 1, "U_" + gates[g], units, units));
            float[] b = config.weight(at + 2, "b_" + gates[g], units).data();
            for (int r = 0; r < e; r++) {
                System.arraycopy(w[r], 0, kernel[r], block * units, units);
            }
            for (int r = 0; r < units; r++) {
                System.arraycopy(u[r], 0, recurrent[r], block * units, units);
            }
            System.arraycopy(b, 0, bias, block * units, units);
        }
        return LstmWeights.of(kernel, recurrent, bias);
    }
}
