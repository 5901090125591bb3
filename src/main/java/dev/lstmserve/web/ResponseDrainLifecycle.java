package dev.lstmserve.web;

import java.time.Duration;
import java.util.concurrent.Executor;

import org.apache.catalina.connector.Connector;
import org.apache.tomcat.util.threads.ThreadPoolExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.ApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Closes a gap in graceful shutdown: Spring Boot's waits until no request is inside a servlet, but Tomcat writes the
 * last bytes of a response after the servlet has returned, and stopping Tomcat right then closes the connection
 * under them; on a busy machine a client loses the answer to a request that was computed. Between Boot's graceful
 * shutdown and the web server's stop, this waits (at most {@link #LIMIT}) until no Tomcat worker thread is busy, so
 * every response that was being written has been sent.
 */
@Component
class ResponseDrainLifecycle implements SmartLifecycle {

    /** Writing a finished response takes micro- to milliseconds; this bounds the wait if a worker hangs. */
    static final Duration LIMIT = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(ResponseDrainLifecycle.class);

    private final ApplicationContext context;
    private volatile boolean running;

    ResponseDrainLifecycle(ApplicationContext context) {
        this.context = context;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        if (!(context instanceof WebServerApplicationContext web)
                || !(web.getWebServer() instanceof TomcatWebServer tomcat)) {
            return;
        }
        long deadline = System.nanoTime() + LIMIT.toNanos();
        for (Connector connector : tomcat.getTomcat().getService().findConnectors()) {
            Executor executor = connector.getProtocolHandler().getExecutor();
            if (executor instanceof ThreadPoolExecutor workers) {
                while (workers.getActiveCount() > 0 && System.nanoTime() < deadline) {
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (workers.getActiveCount() > 0) {
                    log.warn("{} Tomcat worker(s) still busy {} s after graceful shutdown; stopping anyway",
                            workers.getActiveCount(), LIMIT.toSeconds());
                }
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** After Boot's graceful shutdown (stopped first, higher phase), before the web server's stop (lower). */
    @Override
    public int getPhase() {
        return WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE - 512;
    }
}
