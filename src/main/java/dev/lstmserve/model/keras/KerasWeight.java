package dev.lstmserve.model.keras;

import java.util.Arrays;
import java.util.Objects;

/**
 * One weight array of a Keras layer, as the file stores it.
 *
 * @param name  the name the file gives it: the {@code weight_names} entry of a legacy {@code .h5}
 *              ({@code lstm_1/kernel:0}, {@code lstm/lstm_cell/kernel:0}, Theano's {@code lstm_1/kernel}, Keras 1's
 *              {@code lstm_1_W_i:0}), or the dataset path inside a {@code .keras} archive's {@code model.weights.h5}
 *              ({@code layers/lstm/cell/vars/0})
 * @param shape the dataset's shape, e.g. {@code [E, 4H]} for an LSTM kernel; {@code []} for a scalar
 * @param data  the values in row-major (C) order, float32; a float64 dataset is rounded to float32 as Keras does when
 *              it assigns it to a float32 variable. The array is owned by this record and is not copied (weights are
 *              kept in one copy): callers must not modify it.
 */
public record KerasWeight(String name, int[] shape, float[] data) {

    public KerasWeight {
        Objects.requireNonNull(name, "name");
        shape = shape.clone();
        Objects.requireNonNull(data, "data");
        long size = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(name + ": negative dimension in shape " + Arrays.toString(shape));
            }
            size *= d;
        }
        if (size != data.length) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " holds " + size
                    + " values, data has " + data.length);
        }
    }

    /** The shape, a copy. */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** Number of dimensions: 1 for a bias {@code [4H]}, 2 for a kernel {@code [E][4H]}. */
    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code axis}. */
    public int dim(int axis) {
        return shape[axis];
    }

    /** The value at a row-major index (a convenience for tests and error messages). */
    public float get(int... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException(name + ": index " + Arrays.toString(index) + " for shape "
                    + Arrays.toString(shape));
        }
        int flat = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException(name + ": index " + Arrays.toString(index) + " outside shape "
                        + Arrays.toString(shape));
            }
            flat = flat * shape[i] + index[i];
        }
        return data[flat];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KerasWeight w && name.equals(w.name) && Arrays.equals(shape, w.shape)
                && Arrays.equals(data, w.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(shape), Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
