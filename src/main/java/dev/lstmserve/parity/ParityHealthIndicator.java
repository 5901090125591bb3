package dev.lstmserve.parity;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Reports the latest Keras-parity run to Actuator as the {@code parity} health component, which is part of the
 * readiness group: DOWN while the latest run failed. It does not run the check itself (start-up,
 * {@code lstm.parity.interval} and {@code GET /parity} do), so a probe costs nothing however many samples the model
 * carries. Anonymous callers see the status only; details go to callers an operator authorises.
 */
@Component("parity")
class ParityHealthIndicator implements HealthIndicator {

    private final ParityService parity;

    ParityHealthIndicator(ParityService parity) {
        this.parity = parity;
    }

    @Override
    public Health health() {
        ParityRun run = parity.lastRun();
        if (run == null) {
            return Health.unknown().build();
        }
        ParityReport report = run.report();
        Health.Builder health = report.passed() ? Health.up() : Health.down();
        health.withDetail("cases", report.cases().size())
                .withDetail("rtol", report.rtol())
                .withDetail("atol", report.atol())
                .withDetail("last_run", run.finishedAt().toString())
                .withDetail("last_run_trigger", run.trigger())
                .withDetail("duration_ms", run.duration().toNanos() / 1e6);
        if (!report.passed()) {
            health.withDetail("failures", ParityService.describeFailures(report));
        }
        return health.build();
    }
}
