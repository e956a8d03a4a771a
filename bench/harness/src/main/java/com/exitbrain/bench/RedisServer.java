package com.exitbrain.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private {@code redis-server} on a free port (never the shared 6379), without persistence, for
 * one benchmark run. The binary comes from PATH, else from the embedded-redis jar, as in the tests.
 */
final class RedisServer implements AutoCloseable {
    private static final String EMBEDDED = "redis-server-6.2.6-v5-linux-amd64";
    private static final int SHARED_PORT = 6379;

    private final int port;
    private final Path dir;
    private final String binary;
    private final Process process;

    private RedisServer(int port, Path dir, String binary, Process process) {
        this.port = port;
        this.dir = dir;
        this.binary = binary;
        this.process = process;
    }

    static RedisServer start(Path workDir) throws IOException, InterruptedException {
        return start(workDir, "redis");
    }

    /** A server with a directory {@code name} of its own under {@code workDir} and extra arguments (cluster mode). */
    static RedisServer start(Path workDir, String name, String... extraArgs) throws IOException, InterruptedException {
        String binary = binary(workDir);
        int port = freePort();
        Path dir = Files.createDirectories(workDir.resolve(name));
        List<String> cmd = new java.util.ArrayList<>(List.of(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no",
                "--protected-mode", "no", "--maxmemory", "0"));
        cmd.addAll(List.of(extraArgs));
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        RedisServer server = new RedisServer(port, dir, binary, p);
        server.awaitPong();
        return server;
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    String binary() {
        return binary;
    }

    long pid() {
        return process.pid();
    }

    private void awaitPong() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited: " + Files.readString(dir.resolve("redis.log")));
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.getOutputStream().write("PING\r\n".getBytes());
                byte[] buf = new byte[16];
                int n = s.getInputStream().read(buf);
                if (n > 0 && new String(buf, 0, n).startsWith("+PONG")) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("redis-server did not answer PING on port " + port);
    }

    private static String binary(Path workDir) throws IOException {
        for (String dirName : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File candidate = new File(dirName, "redis-server");
            if (candidate.canExecute()) {
                return candidate.getPath();
            }
        }
        Path extracted = workDir.resolve(EMBEDDED);
        try (InputStream in = RedisServer.class.getResourceAsStream("/" + EMBEDDED)) {
            if (in == null) {
                throw new IllegalStateException("no redis-server on PATH and no embedded " + EMBEDDED);
            }
            Files.copy(in, extracted, StandardCopyOption.REPLACE_EXISTING);
        }
        if (!extracted.toFile().setExecutable(true)) {
            throw new IOException("cannot make " + extracted + " executable");
        }
        return extracted.toString();
    }

    private static int freePort() throws IOException {
        while (true) {
            try (ServerSocket s = new ServerSocket(0)) {
                if (s.getLocalPort() != SHARED_PORT) {
                    return s.getLocalPort();
                }
            }
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
