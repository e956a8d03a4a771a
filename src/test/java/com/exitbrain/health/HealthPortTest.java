package com.exitbrain.health;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exitbrain.app.Daemon;
import com.exitbrain.testing.Http;
import com.exitbrain.testing.RedisProcess;
import com.exitbrain.testing.Streams;
import com.exitbrain.testing.WorkerHarness;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The health port under clients that misbehave and a Redis that stalls (SPEC §5, issue 13). */
class HealthPortTest {
    private static final Duration WITHIN_A_SECOND = Duration.ofSeconds(1);

    private RedisProcess redis;
    private Daemon worker;

    @BeforeEach
    void start() {
        redis = RedisProcess.start(false, "--enable-debug-command", "local"); // Redis 7 refuses DEBUG SLEEP else
        worker = WorkerHarness.start(redis);
        await().atMost(Duration.ofSeconds(15)).until(() -> Http.get(worker.healthPort(), "/health").status() == 200);
    }

    @AfterEach
    void stop() {
        worker.close();
        redis.close();
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", worker.healthPort());
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static String statusLine(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\r'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString();
    }

    @Test
    void aHalfSentRequestDoesNotHoldUpOtherClients() throws Exception {
        try (Socket slow = connect()) {
            // Given a client that sends half a request and stays
            slow.getOutputStream().write("GET /health HTTP/1.1\r\nHost: local".getBytes(StandardCharsets.US_ASCII));
            slow.getOutputStream().flush();

            // Then /health and /metrics answer others at once
            assertEquals(200, Http.get(worker.healthPort(), "/health", WITHIN_A_SECOND).status());
            assertEquals(200, Http.get(worker.healthPort(), "/metrics", WITHIN_A_SECOND).status());

            // And the slow one is told so once its time is up
            assertEquals("HTTP/1.1 408 Request Timeout", statusLine(slow));
        }
    }

    @Test
    void aTricklingClientIsCutOffAndOthersAreServedMeanwhile() throws Exception {
        try (Socket slow = connect()) {
            OutputStream out = slow.getOutputStream();
            CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
                try {
                    return statusLine(slow);
                } catch (IOException e) {
                    return e.toString();
                }
            });
            long started = System.nanoTime();
            for (byte b : "GET /health HTTP/1.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII)) {
                if (answer.isDone()) {
                    break;
                }
                try {
                    out.write(b);
                    out.flush();
                } catch (IOException closed) {
                    break;
                }
                assertEquals(200, Http.get(worker.healthPort(), "/health", WITHIN_A_SECOND).status());
                Thread.sleep(200); // the trickle itself, a byte well within any per-read timeout: what is under test
            }
            assertEquals("HTTP/1.1 408 Request Timeout", answer.get());
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(4).toNanos(), "cut off within the read limit");
        }
    }

    @Test
    void anOversizedRequestIsAnswered431AndAMalformedOne400() throws Exception {
        try (Socket big = connect()) {
            big.getOutputStream().write(("GET /health HTTP/1.1\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertEquals("HTTP/1.1 431 Request Header Fields Too Large", statusLine(big));
        }
        try (Socket garbage = connect()) {
            garbage.getOutputStream().write("HELLO\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("HTTP/1.1 400 Bad Request", statusLine(garbage));
        }
        Http.Response health = Http.get(worker.healthPort(), "/health", WITHIN_A_SECOND);
        assertEquals(200, health.status());
    }

    @Test
    void healthAnswers503WithinItsDeadlineWhileRedisStalls() throws Exception {
        try (Streams admin = new Streams(redis)) {
            String before = Http.get(worker.healthPort(), "/health").body();
            assertTrue(before.contains("\"pnl_stream_entries\":0"), before);

            // Given Redis stalls for 3 s
            CompletableFuture<String> stall = CompletableFuture.supplyAsync(() -> admin.redis.dispatch(
                    CommandType.DEBUG, new StatusOutput<>(StringCodec.UTF8), new CommandArgs<>(StringCodec.UTF8)
                            .add("SLEEP").add("3")));
            await().atMost(Duration.ofSeconds(2)).until(this::redisStalled);

            // Then /health answers within about a second, 503, with the last values it read
            long started = System.nanoTime();
            Http.Response during = Http.get(worker.healthPort(), "/health", Duration.ofMillis(1500));
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            assertEquals(503, during.status(), during.body());
            assertTrue(tookMs < 1500, tookMs + " ms");
            assertTrue(during.body().contains("\"connected\":false"), during.body());
            assertTrue(during.body().contains("no answer from Redis within"), during.body());
            assertTrue(during.body().contains("\"pnl_stream_entries\":0"), during.body());
            // and again, while the first reading is still stuck
            assertEquals(503, Http.get(worker.healthPort(), "/health", Duration.ofMillis(1500)).status());

            // And healthy again once Redis is back
            stall.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> Http.get(worker.healthPort(), "/health").status()
                    == 200);
        }
    }

    /** Whether the private Redis is busy: a PING on a fresh socket gets no answer within 200 ms. */
    private boolean redisStalled() {
        try (Socket s = new Socket("127.0.0.1", redis.port())) {
            s.setSoTimeout(200);
            s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            return s.getInputStream().read() < 0;
        } catch (java.net.SocketTimeoutException stalled) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
