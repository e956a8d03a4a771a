package com.exitbrain.testing;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.redis.testcontainers.RedisContainer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.testcontainers.DockerClientFactory;

/**
 * The Docker side of {@link RedisProcess}: the same server in a container of the {@code redis} image,
 * through Testcontainers, on a fixed host port so that it keeps its port (and its append-only file)
 * across a stop and a start. Used only when a Docker engine answers.
 */
final class DockerRedis {
    private static final String IMAGE_TAG = "7.2";
    private static Boolean answers;

    private final RedisContainer container;

    private DockerRedis(RedisContainer container) {
        this.container = container;
    }

    /**
     * Whether a Docker engine answers. Testcontainers is asked only when there is a sign of one
     * (DOCKER_HOST, a Docker socket, a Testcontainers configuration): without any, its search for
     * an engine would cost seconds and log errors on every machine that has none.
     */
    static synchronized boolean answers() {
        if (answers == null) {
            Path home = Path.of(System.getProperty("user.home"));
            boolean sign = System.getenv("DOCKER_HOST") != null || Files.exists(Path.of("/var/run/docker.sock"))
                    || Files.exists(home.resolve(".docker/run/docker.sock"))
                    || Files.exists(home.resolve(".testcontainers.properties"));
            try {
                answers = sign && DockerClientFactory.instance().isDockerAvailable();
            } catch (RuntimeException | LinkageError e) {
                answers = false;
            }
        }
        return answers;
    }

    static String image() {
        return RedisContainer.DEFAULT_IMAGE_NAME.withTag(IMAGE_TAG).asCanonicalNameString();
    }

    @SuppressWarnings("resource") // closed by close()
    static DockerRedis start(int hostPort, boolean appendOnly) {
        RedisContainer container = new RedisContainer(RedisContainer.DEFAULT_IMAGE_NAME.withTag(IMAGE_TAG))
                .withCommand("redis-server", "--save", "", "--appendonly", appendOnly ? "yes" : "no",
                        "--appendfsync", "always", "--protected-mode", "no")
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withPortBindings(new PortBinding(
                        Ports.Binding.bindIpAndPort("127.0.0.1", hostPort), ExposedPort.tcp(RedisContainer.REDIS_PORT))));
        container.start();
        return new DockerRedis(container);
    }

    /** {@code docker kill --signal NAME}: TERM and KILL end the server, STOP freezes it, CONT lets it go on. */
    void signal(String name) {
        container.getDockerClient().killContainerCmd(container.getContainerId()).withSignal(name).exec();
    }

    /** Starts the stopped container again: same port, same append-only file. */
    void startAgain() {
        container.getDockerClient().startContainerCmd(container.getContainerId()).exec();
    }

    boolean running() {
        Boolean running = container.getDockerClient().inspectContainerCmd(container.getContainerId()).exec()
                .getState().getRunning();
        return Boolean.TRUE.equals(running);
    }

    String logs() {
        return container.getLogs();
    }

    void close() {
        container.stop();
    }
}
