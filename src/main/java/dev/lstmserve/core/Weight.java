package dev.lstmserve.core;

/**
 * One trained array of a layer, as Keras keeps it.
 *
 * @param name   Keras' variable name, e.g. {@code kernel}, {@code recurrent_kernel}, {@code forward_lstm/kernel}
 * @param shape  e.g. {@code [E, 4H]}
 * @param values the values in row-major order
 */
public record Weight(String name, int[] shape, float[] values) {

    public static Weight of(String name, float[][] rows) {
        int columns = rows.length == 0 ? 0 : rows[0].length;
        return new Weight(name, new int[] {rows.length, columns}, Shapes.flatten(name, rows, columns));
    }

    public static Weight of(String name, float[] vector) {
        return new Weight(name, new int[] {vector.length}, vector.clone());
    }
}
