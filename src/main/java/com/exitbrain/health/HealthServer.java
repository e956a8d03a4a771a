package com.exitbrain.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/** The JDK's built-in HTTP server with two routes: {@code GET /health} and {@code GET /metrics}. */
public final class HealthServer implements AutoCloseable {
    private final HttpServer server;

    public HealthServer(String bind, int port, Supplier<HealthReport> health, WorkerMetrics metrics) throws IOException {
        InetSocketAddress address = new InetSocketAddress(bind, port);
        if (address.isUnresolved()) { // passing DNS trouble, maybe: status 1, and systemd tries again
            throw new java.net.UnknownHostException("cannot listen on " + bind + ":" + port
                    + " (HEALTH_BIND): the host name does not resolve");
        }
        try {
            server = HttpServer.create(address, 16);
        } catch (java.net.BindException e) {
            throw new java.net.BindException("cannot listen on " + bind + ":" + port
                    + " (HEALTH_BIND/HEALTH_PORT): " + e.getMessage());
        }
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "health-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/health", exchange -> {
            if (!allowed(exchange)) {
                return;
            }
            HealthReport report = health.get();
            send(exchange, report.healthy() ? 200 : 503, "application/json", report.json());
        });
        server.createContext("/metrics", exchange -> {
            if (!allowed(exchange)) {
                return;
            }
            send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
        });
        server.createContext("/", exchange -> send(exchange, 404, "application/json",
                "{\"error\":\"not found\",\"routes\":[\"/health\",\"/metrics\"]}"));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static boolean allowed(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        if ("GET".equals(method) || "HEAD".equals(method)) {
            return true;
        }
        exchange.getResponseHeaders().add("Allow", "GET, HEAD");
        send(exchange, 405, "application/json", "{\"error\":\"method not allowed\"}");
        return false;
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
