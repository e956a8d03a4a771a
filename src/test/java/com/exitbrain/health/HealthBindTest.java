package com.exitbrain.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.exitbrain.app.Daemon;
import com.exitbrain.testing.RedisProcess;
import com.exitbrain.testing.WorkerHarness;
import java.net.InetAddress;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** HEALTH_BIND beyond loopback is said at start-up, IPv6 included (issue 13). */
class HealthBindTest {

    /** The warnings the daemon logs while {@code HEALTH_BIND} is {@code bind}. */
    private static List<String> startUpWarnings(RedisProcess redis, String bind) {
        Logger daemonLog = (Logger) LoggerFactory.getLogger(Daemon.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        daemonLog.addAppender(appender);
        try (Daemon worker = WorkerHarness.start(redis, "HEALTH_BIND", bind)) {
            assertTrue(worker.healthPort() > 0);
        } finally {
            daemonLog.detachAppender(appender);
        }
        return appender.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("HEALTH_BIND")).toList();
    }

    @Test
    void bindingEveryInterfaceIsWarnedOfAndListensOnIpv6Too() throws Exception {
        try (RedisProcess redis = RedisProcess.start()) {
            List<String> warnings = startUpWarnings(redis, "0.0.0.0");
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("HEALTH_BIND=0.0.0.0, every IPv4 and IPv6 interface"), warnings.get(0));

            // the fact the warning states: a 0.0.0.0 listener answers on the IPv6 loopback
            try (HealthServer server = new HealthServer("0.0.0.0", 0, () -> new HealthReport(true, "{}"),
                    new WorkerMetrics()); Socket v6 = new Socket(InetAddress.getByName("::1"), server.port())) {
                assertTrue(v6.isConnected());
            }
        }
    }

    @Test
    void theLoopbackDefaultIsNotWarnedOf() {
        try (RedisProcess redis = RedisProcess.start()) {
            assertEquals(List.of(), startUpWarnings(redis, "127.0.0.1"));
        }
    }
}
