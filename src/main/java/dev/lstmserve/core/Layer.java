package dev.lstmserve.core;

import java.util.List;
import java.util.Map;

/**
 * One Keras layer at inference ({@code keras/src/layers/layer.py}): {@code call} on a batch, {@code compute_mask}
 * folded into the returned {@link Tensor}, and {@code compute_output_shape}. Implementations are immutable and safe
 * for concurrent calls.
 */
public interface Layer {

    /** The layer's name in the Keras model, e.g. {@code lstm_1}. */
    String name();

    /** The Keras class, e.g. {@code LSTM}, {@code Bidirectional}, {@code Dense}. */
    String className();

    /**
     * Keras' {@code layer(inputs)} at inference: the outputs, with the mask Keras' {@code compute_mask} gives them.
     *
     * @throws IllegalArgumentException when the inputs' kind or shape is not what the layer takes (names both)
     */
    Tensor call(Tensor inputs);

    /**
     * Keras' {@code compute_output_shape}: the output shape for an input shape, both without the batch axis, -1 for
     * a size Keras leaves open ({@code None}).
     *
     * @throws IllegalArgumentException naming the layer, the shape it got and what it takes
     */
    int[] outputShape(int[] inputShape);

    /**
     * What the layer does at inference, in Keras' config names ({@code units}, {@code activation}, ...), for
     * {@code GET /lstm/model} and the lstm-serve JSON export. Weights are not in it.
     */
    Map<String, Object> config();

    /** The trained weights in Keras' {@code layer.weights} order, named like Keras' variables. */
    default List<Weight> weights() {
        return List.of();
    }
}
