package com.exitbrain.health;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health port (SPEC §5): {@code GET /health} and {@code GET /metrics}, one request per connection.
 * No client can hold it: requests are served by a small pool, each must arrive whole within
 * {@link #READ_LIMIT_MS} (a trickle of bytes does not extend it) and within {@link #MAX_HEAD_BYTES}
 * (else 408, 431 or 400, not a reset), and a connection still open after {@link #EXCHANGE_LIMIT_MS},
 * answer included, is closed. (The JDK's built-in server, used before, read each request on its only
 * thread with no time limit: one half-sent request blinded /health and /metrics for good.)
 */
public final class HealthServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HealthServer.class);
    static final long READ_LIMIT_MS = 2000;
    static final long EXCHANGE_LIMIT_MS = 5000;
    static final int MAX_HEAD_BYTES = 8192;
    private static final int THREADS = 4;
    private static final int QUEUED = 16;
    private static final Map<Integer, String> REASONS = Map.of(200, "OK", 400, "Bad Request", 404, "Not Found",
            405, "Method Not Allowed", 408, "Request Timeout", 431, "Request Header Fields Too Large",
            503, "Service Unavailable");

    private final ServerSocket socket;
    private final ThreadPoolExecutor pool;
    private final ScheduledExecutorService cutOffs;
    private final Supplier<HealthReport> health;
    private final WorkerMetrics metrics;
    private volatile boolean closed;

    public HealthServer(String bind, int port, Supplier<HealthReport> health, WorkerMetrics metrics) throws IOException {
        this.health = health;
        this.metrics = metrics;
        InetSocketAddress address = new InetSocketAddress(bind, port);
        if (address.isUnresolved()) { // passing DNS trouble, maybe: status 1, and systemd tries again
            throw new java.net.UnknownHostException("cannot listen on " + bind + ":" + port
                    + " (HEALTH_BIND): the host name does not resolve");
        }
        socket = new ServerSocket();
        try {
            socket.bind(address, 64);
        } catch (java.net.BindException e) {
            socket.close();
            throw new java.net.BindException("cannot listen on " + bind + ":" + port
                    + " (HEALTH_BIND/HEALTH_PORT): " + e.getMessage());
        }
        pool = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUED),
                daemonThreads("health-http"));
        cutOffs = Executors.newSingleThreadScheduledExecutor(daemonThreads("health-cutoff"));
        Thread acceptor = daemonThreads("health-accept").newThread(this::accept);
        acceptor.start();
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** Whether only this host can connect (a loopback address). */
    public boolean loopbackOnly() {
        return socket.getInetAddress().isLoopbackAddress();
    }

    /**
     * Whether bound to the wildcard address: {@code 0.0.0.0} included, for Java's sockets are
     * dual-stack, so it is {@code [::]} too and IPv6 clients reach it (IPv4-only firewall rules miss them).
     */
    public boolean allInterfaces() {
        return socket.getInetAddress().isAnyLocalAddress();
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = socket.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("health port: accept failed ({})", e.getMessage());
                    pause(); // out of file descriptors, say: no busy loop
                }
                continue;
            }
            try {
                pool.execute(() -> serve(client));
            } catch (RejectedExecutionException e) { // every thread and queue slot taken: say so at once
                ScheduledFuture<?> cutOff = cutOffs.schedule(() -> closeQuietly(client), READ_LIMIT_MS,
                        TimeUnit.MILLISECONDS);
                answer(client, "GET", 503, "application/json", "{\"error\":\"health port busy\"}", null);
                cutOff.cancel(false);
            }
        }
    }

    private void serve(Socket client) {
        ScheduledFuture<?> cutOff = cutOffs.schedule(() -> closeQuietly(client), EXCHANGE_LIMIT_MS,
                TimeUnit.MILLISECONDS);
        try {
            RequestHead request = RequestHead.read(client, READ_LIMIT_MS, MAX_HEAD_BYTES);
            route(client, request);
        } catch (RequestHead.Refused e) {
            answer(client, "GET", e.status, "application/json", "{\"error\":\"" + e.getMessage() + "\"}", null);
        } catch (IOException | RuntimeException e) {
            log.debug("health port: request from {} dropped ({})", client.getRemoteSocketAddress(), e.toString());
            closeQuietly(client);
        } finally {
            cutOff.cancel(false);
        }
    }

    private void route(Socket client, RequestHead request) {
        boolean known = "/health".equals(request.path()) || "/metrics".equals(request.path());
        if (!known) {
            answer(client, request.method(), 404, "application/json",
                    "{\"error\":\"not found\",\"routes\":[\"/health\",\"/metrics\"]}", null);
        } else if (!"GET".equals(request.method()) && !"HEAD".equals(request.method())) {
            answer(client, request.method(), 405, "application/json", "{\"error\":\"method not allowed\"}",
                    "Allow: GET, HEAD\r\n");
        } else if ("/health".equals(request.path())) {
            HealthReport report = health.get();
            answer(client, request.method(), report.healthy() ? 200 : 503, "application/json", report.json(), null);
        } else {
            answer(client, request.method(), 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape(), null);
        }
    }

    /** Writes the answer and closes the connection; a client gone meanwhile is no concern. */
    private static void answer(Socket client, String method, int status, String type, String body, String extra) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + REASONS.get(status) + "\r\nContent-Type: " + type
                + "\r\nContent-Length: " + bytes.length + "\r\nConnection: close\r\n"
                + (extra == null ? "" : extra) + "\r\n";
        try (client; OutputStream out = client.getOutputStream()) {
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            if (!"HEAD".equals(method)) {
                out.write(bytes);
            }
            out.flush();
            client.shutdownOutput();
            drain(client);
        } catch (IOException e) {
            log.debug("health port: answer to {} not delivered ({})", client.getRemoteSocketAddress(), e.toString());
        }
    }

    /**
     * Reads what the client still sends (the rest of an oversized request) until it closes, for a
     * moment at most: closing with unread input would reset the connection, and the client might
     * lose the answer.
     */
    private static void drain(Socket client) throws IOException {
        client.setSoTimeout(500);
        byte[] sink = new byte[8192];
        long total = 0;
        while (total < 1 << 20) {
            int n = client.getInputStream().read(sink);
            if (n < 0) {
                return;
            }
            total += n;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Socket client) {
        try {
            client.close();
        } catch (IOException ignored) {
            // closing is all that was asked
        }
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(socket);
        pool.shutdownNow();
        cutOffs.shutdownNow();
    }

    private static void closeQuietly(ServerSocket server) {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing is all that was asked
        }
    }
}
