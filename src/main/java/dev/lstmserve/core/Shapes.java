package dev.lstmserve.core;

/** Shape checks and conversions between nested Keras-shaped arrays and the flat row-major arrays the engine uses. */
public final class Shapes {

    private Shapes() {
    }

    /**
     * Checks that every row of {@code rows [R][columns]} has {@code columns} values.
     *
     * @throws IllegalArgumentException naming {@code name} and the first row whose length is not {@code columns}
     */
    public static void checkColumns(String name, float[][] rows, int columns) {
        for (int r = 0; r < rows.length; r++) {
            if (rows[r] == null || rows[r].length != columns) {
                throw new IllegalArgumentException(name + "[" + r + "] has " + (rows[r] == null ? 0 : rows[r].length)
                        + " values; expected " + columns);
            }
        }
    }

    /**
     * Copies {@code rows [R][columns]} into one row-major array.
     *
     * @throws IllegalArgumentException naming {@code name} and the first row whose length is not {@code columns}
     */
    public static float[] flatten(String name, float[][] rows, int columns) {
        checkColumns(name, rows, columns);
        float[] flat = new float[rows.length * columns];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * columns, columns);
        }
        return flat;
    }

    /** {@code flat [rows * columns]} as {@code [rows][columns]}. */
    public static float[][] unflatten(float[] flat, int rows, int columns) {
        float[][] nested = new float[rows][columns];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(flat, r * columns, nested[r], 0, columns);
        }
        return nested;
    }

    /** A deep copy of {@code [A][B]}. */
    public static float[][] copy(float[][] rows) {
        float[][] copy = new float[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            copy[r] = rows[r].clone();
        }
        return copy;
    }

    /**
     * The shape of a nested float array ({@code float[]}, {@code float[][]}, ...), read along the first element of
     * each level; {@code [0]} for an empty level.
     *
     * @throws IllegalArgumentException when {@code nested} is not a float array
     */
    public static int[] shapeOf(Object nested) {
        java.util.List<Integer> shape = new java.util.ArrayList<>();
        Object level = nested;
        while (level instanceof Object[] rows) {
            shape.add(rows.length);
            level = rows.length == 0 ? null : rows[0];
        }
        if (level instanceof float[] values) {
            shape.add(values.length);
        } else if (level != null || shape.isEmpty()) {
            throw new IllegalArgumentException("not a nested float array: " + nested);
        }
        return shape.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The values of a nested float array in row-major order.
     *
     * @throws IllegalArgumentException when a row's length differs from {@link #shapeOf} (a ragged array)
     */
    public static float[] valuesOf(Object nested) {
        int[] shape = shapeOf(nested);
        long size = 1;
        for (int dim : shape) {
            size *= dim;
        }
        float[] values = new float[Math.toIntExact(size)];
        int filled = fill(nested, shape, 0, values, 0);
        if (filled != values.length) {
            throw new IllegalArgumentException("ragged array; expected shape " + java.util.Arrays.toString(shape));
        }
        return values;
    }

    private static int fill(Object level, int[] shape, int depth, float[] values, int at) {
        if (level instanceof float[] row) {
            if (row.length != shape[depth]) {
                throw new IllegalArgumentException("ragged array; expected shape " + java.util.Arrays.toString(shape));
            }
            System.arraycopy(row, 0, values, at, row.length);
            return at + row.length;
        }
        Object[] rows = (Object[]) level;
        if (rows.length != shape[depth]) {
            throw new IllegalArgumentException("ragged array; expected shape " + java.util.Arrays.toString(shape));
        }
        for (Object row : rows) {
            at = fill(row, shape, depth + 1, values, at);
        }
        return at;
    }
}
