package dev.lstmserve.parity;

import dev.lstmserve.config.LstmProperties;

import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/**
 * Runs the parity check again every {@code lstm.parity.interval} (default 60s), first one interval after start-up
 * (which has just run it), so health and readiness follow the engine without running it on every probe.
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class ParityScheduling implements SchedulingConfigurer {

    private final ParityService parity;
    private final LstmProperties properties;

    ParityScheduling(ParityService parity, LstmProperties properties) {
        this.parity = parity;
        this.properties = properties;
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(new FixedDelayTask(parity::runScheduled, properties.parity().interval(),
                properties.parity().interval()));
    }
}
