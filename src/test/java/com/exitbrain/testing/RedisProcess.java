package com.exitbrain.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private Redis on a free port, for tests (never the shared 6379): a container of the
 * {@code redis} image (Testcontainers) when a Docker engine answers, else a {@code redis-server}
 * process, so that the same tests run both ways; the first start logs which. The binary comes from
 * {@code EXITBRAIN_TEST_REDIS_SERVER} (a path, or {@code embedded} for the Redis 6.2 binary of the
 * embedded-redis package; setting it also means "no container"), else from PATH, else from the
 * embedded-redis package. A server with options of its own (a password, an ACL file), TLS or Redis
 * 6.2 is always a process. There is no silent skip: when no Redis can be started, the test fails
 * saying why. It can be stopped and restarted on the same port and data, to test a Redis restart
 * (with {@code appendonly yes}).
 */
public final class RedisProcess implements AutoCloseable {
    private static final String EMBEDDED = "redis-server-6.2.6-v5-linux-amd64";
    private static final Logger LOG = LoggerFactory.getLogger(RedisProcess.class);
    private static boolean told;

    private final int port;
    private final Path dir;
    private final boolean appendOnly;
    private final List<String> extraArgs;
    private final boolean tls;
    private Process process;
    private DockerRedis docker;

    private final String binary;

    private RedisProcess(String binary, int port, Path dir, boolean appendOnly, List<String> extraArgs, boolean tls) {
        this.binary = binary;
        this.port = port;
        this.dir = dir;
        this.appendOnly = appendOnly;
        this.extraArgs = extraArgs;
        this.tls = tls;
    }

    public static RedisProcess start() {
        return start(false);
    }

    public static RedisProcess start(boolean appendOnly, String... extraArgs) {
        try {
            boolean container = extraArgs.length == 0 && System.getenv("EXITBRAIN_TEST_REDIS_SERVER") == null
                    && DockerRedis.answers();
            String binary = container ? DockerRedis.image() : binary();
            tell(container, binary);
            RedisProcess redis = new RedisProcess(binary, freePort(), Files.createTempDirectory("exitbrain-redis"),
                    appendOnly, List.of(extraArgs), false);
            if (container) {
                redis.docker = DockerRedis.start(redis.port, appendOnly);
                redis.awaitPing();
            } else {
                redis.launch();
            }
            return redis;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a private redis-server: " + e.getMessage(), e);
        }
    }

    /** Once per test run: which kind of Redis the tests get. */
    private static synchronized void tell(boolean container, String what) {
        if (!told) {
            told = true;
            LOG.info(container ? "test Redis: a container of " + what + " (Testcontainers; a Docker engine answers)"
                    : "test Redis: private redis-server processes of " + what + " (no Docker engine answers)");
        }
    }

    /** The oldest Redis ExitBrain supports (6.2, XAUTOCLAIM): the embedded-redis package's binary. */
    public static RedisProcess startRedis62() {
        try {
            RedisProcess redis = new RedisProcess(embedded(), freePort(), Files.createTempDirectory("exitbrain-redis"),
                    false, List.of(), false);
            redis.launch();
            return redis;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the embedded Redis 6.2: " + e.getMessage(), e);
        }
    }

    /**
     * A server that speaks only TLS, on a throwaway self-signed certificate made with openssl (which
     * must be installed: .ci/run installs it); {@link #url} carries {@code verifyPeer=NONE}.
     */
    public static RedisProcess startTls() {
        try {
            Path dir = Files.createTempDirectory("exitbrain-redis-tls");
            Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(),
                    "-days", "1", "-subj", "/CN=127.0.0.1").redirectErrorStream(true)
                    .redirectOutput(dir.resolve("openssl.log").toFile()).start();
            if (!openssl.waitFor(60, TimeUnit.SECONDS) || openssl.exitValue() != 0) {
                openssl.destroyForcibly();
                throw new IllegalStateException("openssl could not make a certificate for the TLS Redis: "
                        + Files.readString(dir.resolve("openssl.log")));
            }
            RedisProcess redis = new RedisProcess(binary(), freePort(), dir, false, List.of(
                    "--tls-cert-file", dir.resolve("cert.pem").toString(), "--tls-key-file", dir.resolve("key.pem").toString(),
                    "--tls-auth-clients", "no"), true);
            redis.launch();
            return redis;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a private TLS redis-server (is openssl installed?): "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return tls ? "rediss://127.0.0.1:" + port + "?verifyPeer=NONE" : "redis://127.0.0.1:" + port;
    }

    public Path dir() {
        return dir;
    }

    /** Stops the server the hard way (SIGKILL): what it had not written to its AOF is gone. */
    public void kill() {
        if (docker != null) {
            docker.signal("KILL");
        } else {
            process.destroyForcibly();
        }
        waitFor();
    }

    /** Sends a signal by name (STOP freezes the server, CONT lets it go on). */
    public void signal(String name) throws IOException, InterruptedException {
        if (docker != null) {
            docker.signal(name);
        } else {
            Signals.send(process, name);
        }
    }

    /** Stops the server cleanly (SIGTERM). */
    public void stop() {
        if (docker != null) {
            docker.signal("TERM");
        } else {
            process.destroy();
        }
        waitFor();
    }

    public void restart() {
        if (alive()) {
            stop();
        }
        try {
            if (docker != null) {
                docker.startAgain();
                awaitPing();
            } else {
                launch();
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot restart redis-server", e);
        }
    }

    public boolean alive() {
        return docker != null ? docker.running() : process.isAlive();
    }

    private String log() throws IOException {
        return docker != null ? docker.logs() : Files.readString(dir.resolve("redis.log"));
    }

    private void waitFor() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            if (docker == null) {
                process.waitFor(10, TimeUnit.SECONDS);
                return;
            }
            while (docker.running() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void launch() throws IOException {
        List<String> cmd = new ArrayList<>(tls
                ? List.of(binary, "--port", "0", "--tls-port", Integer.toString(port))
                : List.of(binary, "--port", Integer.toString(port)));
        cmd.addAll(List.of("--bind", "127.0.0.1",
                "--save", "", "--appendonly", appendOnly ? "yes" : "no", "--appendfsync", "always",
                "--dir", dir.toString(), "--daemonize", "no", "--protected-mode", "no"));
        cmd.addAll(extraArgs);
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        awaitPing();
    }

    /** Until the server answers PING (it may be loading its AOF); fails with its log if it exits. */
    private void awaitPing() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!alive()) {
                throw new IllegalStateException("redis-server exited: " + log());
            }
            try (Socket s = connect()) {
                s.getOutputStream().write("PING\r\n".getBytes());
                byte[] buf = new byte[64];
                int n = s.getInputStream().read(buf);
                String reply = n > 0 ? new String(buf, 0, n) : "";
                if (reply.startsWith("+PONG") || reply.startsWith("-NOAUTH")) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting (or loading its AOF)
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
        throw new IllegalStateException("redis-server did not answer PING on port " + port + ": " + log());
    }

    /** A plain socket, or for a TLS server one that takes any certificate (the test's own). */
    private Socket connect() throws IOException {
        if (!tls) {
            return new Socket("127.0.0.1", port);
        }
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return context.getSocketFactory().createSocket("127.0.0.1", port);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** redis-server from PATH, else the binary shipped in the embedded-redis jar. */
    public static synchronized String binary() throws IOException {
        String chosen = System.getenv("EXITBRAIN_TEST_REDIS_SERVER");
        if ("embedded".equals(chosen)) {
            return embedded();
        }
        if (chosen != null && !chosen.isEmpty()) {
            return chosen;
        }
        for (String dirName : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File candidate = new File(dirName, "redis-server");
            if (candidate.canExecute()) {
                return candidate.getPath();
            }
        }
        return embedded();
    }

    private static String embedded() throws IOException {
        Path extracted = Path.of(System.getProperty("java.io.tmpdir"), "exitbrain-" + EMBEDDED);
        if (!Files.isExecutable(extracted)) {
            try (InputStream in = RedisProcess.class.getResourceAsStream("/" + EMBEDDED)) {
                if (in == null) {
                    throw new IllegalStateException("no redis-server on PATH and no embedded binary " + EMBEDDED);
                }
                Path tmp = Files.createTempFile("redis-server", "");
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                tmp.toFile().setExecutable(true);
                Files.move(tmp, extracted, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return extracted.toString();
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        if (docker != null) {
            docker.close();
        } else if (process != null) {
            process.destroyForcibly();
            waitFor();
        }
    }
}
