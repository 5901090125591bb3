package dev.lstmserve.parity;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** Reports the Keras-parity check to Actuator as the {@code parity} health component (also in readiness). */
@Component("parity")
class ParityHealthIndicator implements HealthIndicator {

    private final ParityService parity;

    ParityHealthIndicator(ParityService parity) {
        this.parity = parity;
    }

    @Override
    public Health health() {
        ParityReport report = parity.runNow();
        Health.Builder health = report.passed() ? Health.up() : Health.down();
        health.withDetail("cases", report.cases().size()).withDetail("rtol", report.rtol()).withDetail("atol", report.atol());
        if (!report.passed()) {
            health.withDetail("failures", ParityService.describeFailures(report));
        }
        return health.build();
    }
}
