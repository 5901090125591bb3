package dev.lstmserve.parity;

import java.time.Duration;
import java.time.Instant;

/**
 * One run of the parity check: what it found, how long it took and when it ended.
 *
 * @param trigger what ran it: {@code start-up}, {@code schedule} or {@code request} ({@code GET /parity})
 */
public record ParityRun(ParityReport report, Duration duration, Instant finishedAt, String trigger) {

    public boolean passed() {
        return report.passed();
    }
}
