package dev.lstmserve.ops;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM is how Docker, Kubernetes and systemd stop the service, so a stop that drained its requests is a success:
 * the process exits 0, not the JVM's 143 (128 + SIGTERM), which they would record as a failure. The shutdown itself is
 * unchanged: {@code System.exit} runs Spring Boot's shutdown hook, which stops taking requests, lets those in flight
 * finish ({@code server.shutdown=graceful}, at most {@code spring.lifecycle.timeout-per-shutdown-phase}) and closes
 * the application.
 */
public final class SigtermExit {

    private static final Logger log = LoggerFactory.getLogger(SigtermExit.class);

    private SigtermExit() {
    }

    /** Called first thing in {@code main}; the JVM's own handling stays in place where the signal cannot be handled. */
    public static void install() {
        try {
            Signal.handle(new Signal("TERM"), signal -> {
                log.info("SIGTERM: shutting down gracefully");
                System.exit(0);
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // -Xrs, or a platform without SIGTERM: the JVM's default applies (exit 143 after the shutdown hooks).
        }
    }
}
