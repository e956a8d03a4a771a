package com.exitbrain.stream;

import com.exitbrain.redis.Script;

import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.models.stream.PendingMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.LongPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group's departed consumers. Under the default consumer name {@code <host>-<pid>} every restart
 * is a new consumer: without this, a restarted worker would leave its predecessor's in-flight
 * entries waiting {@code claim-min-idle} before claiming them, and every earlier name would stay
 * in {@code XINFO CONSUMERS} for good.
 * <ul>
 * <li>A consumer named {@code <this host>-<pid>} whose process no longer runs on this host is
 * certainly dead: its pending entries are claimed at once ({@code XCLAIM}, idle 0) and handled,
 * then the consumer is removed. (Were it alive after all, under another PID namespace, the
 * scripts' pending check still lets only one of the two publish each entry.)</li>
 * <li>Any other consumer holding nothing pending and idle for {@code emptyIdle} is removed.</li>
 * </ul>
 * Removal is {@code forget_consumer.lua}, which checks that the consumer holds nothing pending and
 * has been idle long enough in the same atomic step: a consumer with pending entries is never
 * removed, so no entry leaves the pending list unacknowledged.
 */
final class ConsumerSweep {
    private static final Logger log = LoggerFactory.getLogger(ConsumerSweep.class);
    private static final int PAGE = 100;

    /** Handles claimed entries; the worker's own batch handling. */
    interface Handler {
        void handle(List<StreamMessage<String, String>> claimed);
    }

    private record Member(String name, long pending, long idleMs) {
    }

    private final RedisClusterCommands<String, String> redis;
    private final Consumer<String> me;
    private final Pattern sameHost;
    private final long myPid;
    private final LongPredicate processAlive;
    private final Duration emptyIdle;
    private final Script forget = Script.resource("forget_consumer.lua", ScriptOutputType.INTEGER);
    private boolean refused;

    /**
     * @param host         this host's name, as in the default consumer name
     * @param processAlive whether a process of this host with that pid exists
     * @param emptyIdle    how long a consumer with nothing pending must be idle to be removed
     */
    ConsumerSweep(RedisClusterCommands<String, String> redis, Consumer<String> me, String host, LongPredicate processAlive,
                  Duration emptyIdle) {
        this.redis = redis;
        this.me = me;
        this.sameHost = Pattern.compile(Pattern.quote(host) + "-([0-9]{1,18})");
        this.myPid = ProcessHandle.current().pid();
        this.processAlive = processAlive;
        this.emptyIdle = emptyIdle;
    }

    static boolean processAlive(long pid) {
        return ProcessHandle.of(pid).isPresent();
    }

    /** One pass over the consumers of each stream's group. */
    void sweep(Collection<String> streams, Handler handler) {
        if (refused) {
            return;
        }
        try {
            for (String stream : streams) {
                for (Member member : members(stream)) {
                    if (member.name().equals(me.getName())) {
                        continue;
                    }
                    if (deadOnThisHost(member.name())) {
                        takeOver(stream, member, handler);
                        forget(stream, member.name(), 0);
                    } else if (member.pending() == 0 && member.idleMs() >= emptyIdle.toMillis()) {
                        forget(stream, member.name(), emptyIdle.toMillis());
                    }
                }
            }
        } catch (RedisCommandExecutionException e) {
            if (!String.valueOf(e.getMessage()).startsWith("NOPERM")) {
                throw e;
            }
            // an ACL written for an earlier version: the worker still works, XAUTOCLAIM covers it
            refused = true;
            log.warn("the Redis user may not run {}; departed consumers are left to XAUTOCLAIM and stay"
                    + " listed (see deploy/redis-acl.conf)", e.getMessage());
        }
    }

    private boolean deadOnThisHost(String name) {
        Matcher m = sameHost.matcher(name);
        if (!m.matches()) {
            return false;
        }
        long pid = Long.parseLong(m.group(1));
        return pid != myPid && !processAlive.test(pid);
    }

    private void takeOver(String stream, Member member, Handler handler) {
        Consumer<String> gone = Consumer.from(me.getGroup(), member.name());
        Range.Boundary<String> from = Range.Boundary.unbounded();
        int taken = 0;
        while (true) {
            List<PendingMessage> page = redis.xpending(stream, gone, Range.from(from, Range.Boundary.unbounded()),
                    Limit.from(PAGE));
            if (page.isEmpty()) {
                break;
            }
            List<String> ids = new ArrayList<>(page.size());
            page.forEach(p -> ids.add(p.getId()));
            List<StreamMessage<String, String>> claimed = redis.xclaim(stream, me, XClaimArgs.Builder.minIdleTime(0),
                    ids.toArray(String[]::new));
            taken += claimed.size();
            if (!claimed.isEmpty()) {
                handler.handle(claimed);
            }
            from = Range.Boundary.excluding(ids.get(ids.size() - 1));
        }
        if (taken > 0) {
            log.info("took over {} pending entries of {} on {}: its process no longer runs on this host",
                    taken, member.name(), stream);
        }
    }

    private void forget(String stream, String consumer, long minIdleMs) {
        Long removed = forget.callNow(redis, new String[] {stream}, me.getGroup(), consumer, Long.toString(minIdleMs));
        if (removed != null && removed == 1) {
            log.info("removed departed consumer {} from group {} on {}", consumer, me.getGroup(), stream);
        }
    }

    private List<Member> members(String stream) {
        List<Member> out = new ArrayList<>();
        for (Object raw : redis.xinfoConsumers(stream, me.getGroup())) {
            if (!(raw instanceof List<?> fields)) {
                continue;
            }
            String name = null;
            long pending = -1;
            long idle = -1;
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                String key = String.valueOf(fields.get(i));
                Object value = fields.get(i + 1);
                switch (key) {
                    case "name" -> name = String.valueOf(value);
                    case "pending" -> pending = number(value).orElse(-1);
                    case "idle" -> idle = number(value).orElse(-1);
                    default -> {
                    }
                }
            }
            if (name != null && pending >= 0 && idle >= 0) {
                out.add(new Member(name, pending, idle));
            }
        }
        return out;
    }

    private static OptionalLong number(Object value) {
        if (value instanceof Number n) {
            return OptionalLong.of(n.longValue());
        }
        try {
            return OptionalLong.of(Long.parseLong(String.valueOf(value)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
