package dev.lstmserve.core;

/**
 * What one LSTM layer computes for a batch: {@code outputs [B][T][H]}, the output of every step in the order Keras
 * returns them with {@code return_sequences=True} (reversed time order under {@code go_backwards}), and the final
 * {@code state} ({@code h, c [B][H]}).
 */
public record LstmResult(float[][][] outputs, LstmState state) {

    /** The last output of every row, {@code [B][H]}: what Keras returns with {@code return_sequences=False}. */
    public float[][] lastOutputs() {
        float[][] last = new float[outputs.length][];
        for (int b = 0; b < outputs.length; b++) {
            last[b] = outputs[b][outputs[b].length - 1];
        }
        return last;
    }
}
