package dev.lstmserve.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LstmForwardPassTests {

    /**
     * The rows of zx and of the run-ahead buffers never start at the same offset of a 4 KiB page for rows fewer than
     * 64 apart, whatever the lanes (4, 8 or 16) and panels, and do 64 apart (an odd number of lines each, at most one
     * line of pad): the point of {@link LstmForwardPass#paddedRowFloats}.
     */
    @Test
    void paddedRowsMeetAtOnePageOffsetOnly64RowsApart() {
        for (int lanes : new int[] {4, 8, 16}) {
            for (int panels = 1; panels <= 256; panels++) {
                int rowFloats = panels * 4 * lanes;
                int padded = LstmForwardPass.paddedRowFloats(rowFloats);
                assertThat(padded - rowFloats).as("pad of %d floats", rowFloats).isIn(0, LstmForwardPass.LINE_FLOATS);
                for (int rows = 1; rows < 64; rows++) {
                    assertThat((long) rows * padded * Float.BYTES % 4096)
                            .as("%d rows of %d floats (%d lanes, %d panels)", rows, padded, lanes, panels)
                            .isNotZero();
                }
                assertThat(64L * padded * Float.BYTES % 4096).as("64 rows of %d floats", padded).isZero();
            }
        }
    }
}
