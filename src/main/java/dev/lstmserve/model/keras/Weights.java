package dev.lstmserve.model.keras;

/** Keras weight arrays as the nested rows core layers take. */
final class Weights {

    private Weights() {
    }

    /** A rank-2 weight {@code [R][C]} as rows. */
    static float[][] rows(KerasWeight weight) {
        int rows = weight.dim(0);
        int columns = weight.dim(1);
        float[][] out = new float[rows][columns];
        float[] data = weight.data();
        for (int r = 0; r < rows; r++) {
            System.arraycopy(data, r * columns, out[r], 0, columns);
        }
        return out;
    }
}
