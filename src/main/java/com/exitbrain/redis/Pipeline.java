package com.exitbrain.redis;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * Sends a group of commands in one flush and waits for all replies (lettuce's pipelining advice),
 * on a connection only the worker thread writes to. Scripts missing after a Redis restart are
 * loaded and the group is sent again, which the scripts make harmless.
 */
public final class Pipeline {
    private final Connection connection;
    private final RedisClusterAsyncCommands<String, String> async;
    private final Duration timeout;
    private final List<Script> scripts;
    /** On a cluster, a key of the slot every call of this pipeline goes to; null for one Redis. */
    private final String slotKey;

    public Pipeline(Connection connection, Duration timeout, List<Script> scripts) {
        this(connection, timeout, scripts, null);
    }

    /**
     * @param slotKey on a cluster, a key of the one slot this pipeline's calls touch (a partition's
     *                input stream): scripts are loaded on the master serving it
     */
    public Pipeline(Connection connection, Duration timeout, List<Script> scripts, String slotKey) {
        this.connection = connection;
        this.async = connection.async();
        this.timeout = timeout;
        this.scripts = scripts;
        this.slotKey = slotKey;
        connection.setAutoFlushCommands(false);
    }

    public RedisClusterAsyncCommands<String, String> commands() {
        return async;
    }

    /** Issues the commands {@code issue} adds, flushes them together and returns every reply in order. */
    public <T> List<T> run(Function<RedisClusterAsyncCommands<String, String>, List<RedisFuture<T>>> issue) {
        return awaitOrResend(issue.apply(async), issue);
    }

    /**
     * The replies of commands already sent (possibly flushed in parts); if Redis had lost the
     * scripts (restarted), loads them and sends the whole group again with {@code resend}.
     */
    public <T> List<T> awaitOrResend(List<RedisFuture<T>> sent,
                              Function<RedisClusterAsyncCommands<String, String>, List<RedisFuture<T>>> resend) {
        try {
            return await(sent);
        } catch (RuntimeException e) {
            if (!Script.isNoScript(e)) {
                throw e;
            }
            loadScripts();
            return await(resend.apply(async));
        }
    }

    public void loadScripts() {
        String info = await(List.of(async.info("server"))).get(0);
        boolean seven = majorVersion(info) >= 7;
        scripts.forEach(s -> s.useShebang(seven));
        if (connection.cluster() && slotKey != null) {
            loadOnSlotMaster();
            return;
        }
        List<RedisFuture<String>> loads = new ArrayList<>();
        for (Script s : scripts) {
            loads.add(s.load(async));
        }
        await(loads);
    }

    /**
     * On a cluster, Lettuce's SCRIPT LOAD goes to every master it knows, a dead one too until the
     * cluster forgets it: after a failover it would fail for every partition. Each partition's
     * calls go to one slot, so the scripts are loaded on the master serving that slot, as the
     * client's topology says now; a NOSCRIPT after a failover or a resharding loads them again.
     */
    private void loadOnSlotMaster() {
        int slot = SlotHash.getSlot(slotKey);
        var nodes = ((RedisAdvancedClusterAsyncCommands<String, String>) async)
                .nodes(n -> n.is(RedisClusterNode.NodeFlag.UPSTREAM) && n.hasSlot(slot));
        if (nodes.size() == 0) {
            throw new RedisException("no master serves slot " + slot + " (" + slotKey + ") in the cluster's topology");
        }
        List<RedisFuture<String>> loads = new ArrayList<>();
        for (Script s : scripts) {
            loads.add(s.load(nodes.commands(0)));
        }
        await(loads);
    }

    /** The major version in an INFO server reply ({@code redis_version:7.0.15}), 0 if not found. */
    public static int majorVersion(String info) {
        int at = info.indexOf("redis_version:");
        if (at < 0) {
            return 0;
        }
        int from = at + "redis_version:".length();
        int to = from;
        while (to < info.length() && Character.isDigit(info.charAt(to))) {
            to++;
        }
        return to == from ? 0 : Integer.parseInt(info.substring(from, to));
    }

    /** Sends the commands queued so far without waiting for their replies. */
    public void flush() {
        connection.flushCommands();
    }

    /** Sends what is queued and returns the replies of {@code futures}, in order. */
    public <T> List<T> await(List<RedisFuture<T>> futures) {
        connection.flushCommands();
        if (!LettuceFutures.awaitAll(timeout, futures.toArray(RedisFuture[]::new))) {
            throw new RedisCommandTimeoutException("no reply from Redis within " + timeout.toMillis() + " ms");
        }
        List<T> replies = new ArrayList<>(futures.size());
        for (RedisFuture<T> f : futures) {
            try {
                replies.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
            }
        }
        return replies;
    }
}
