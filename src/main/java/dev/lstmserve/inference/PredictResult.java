package dev.lstmserve.inference;

import java.util.List;

/**
 * What {@code /lstm/predict} returns.
 *
 * @param outputs what Keras' {@code model.predict} returns: {@code float[B][N]} or {@code float[B][T][N]}
 * @param topK    with {@code top_k}: per row ({@code [B][k]}), or per row and step ({@code [B][T][k]}), the most
 *                probable classes, most probable first; else {@code null}
 */
public record PredictResult(Object outputs, Object topK) {

    /**
     * One class of a softmax output.
     *
     * @param word the vocabulary's word for {@code id}, or {@code null} without a vocabulary
     */
    public record TopClass(int id, float probability, String word) {
    }

    static List<TopClass> top(float[] probabilities, int k, java.util.function.IntFunction<String> word) {
        Integer[] ids = new Integer[probabilities.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        // Most probable first; equal probabilities by id, so the order never depends on the sort.
        java.util.Arrays.sort(ids, (a, b) -> probabilities[a] != probabilities[b]
                ? Float.compare(probabilities[b], probabilities[a]) : Integer.compare(a, b));
        List<TopClass> top = new java.util.ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            top.add(new TopClass(ids[i], probabilities[ids[i]], word.apply(ids[i])));
        }
        return top;
    }
}
