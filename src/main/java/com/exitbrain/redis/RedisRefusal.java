package com.exitbrain.redis;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Redis's answers that waiting does not cure: credentials it refuses ({@code WRONGPASS}, {@code NOAUTH})
 * and a command the ACL user may not run ({@code NOPERM}). At start-up they are a configuration
 * error (SPEC §6, exit 78: systemd must not restart-loop on them); under a running worker
 * (credentials rotated, ACL edited) an authentication failure, retried until an operator fixes it.
 * Lettuce wraps them (a refused handshake is "Unable to connect to …"), so the causes are searched.
 */
public record RedisRefusal(String reply) {
    private static final List<String> CODES = List.of("WRONGPASS", "NOAUTH", "NOPERM");
    private static final Pattern COMMAND = Pattern.compile("'([^']+)' command");

    /**
     * The refusal among {@code failure}'s causes and suppressed failures, or null when it is
     * something else. A cluster client lists each seed node's answer on a line of its own
     * ({@code [redis://…]: NOPERM …}).
     */
    public static RedisRefusal in(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause() == c ? null : c.getCause()) {
            for (String line : String.valueOf(c.getMessage()).split("\n")) {
                String reply = line.startsWith("[") && line.contains("]: ") ? line.substring(line.indexOf("]: ") + 3) : line;
                if (CODES.stream().anyMatch(reply::startsWith)) {
                    return new RedisRefusal(reply.trim());
                }
            }
            for (Throwable suppressed : c.getSuppressed()) {
                RedisRefusal inner = in(suppressed);
                if (inner != null) {
                    return inner;
                }
            }
        }
        return null;
    }

    /** One line naming REDIS_URL (masked) and Redis's own reply. */
    public String describe(String maskedUrl) {
        if (!reply.startsWith("NOPERM")) {
            return "Redis refused the credentials of REDIS_URL " + maskedUrl + " (" + reply + ")";
        }
        Matcher command = COMMAND.matcher(reply);
        return "the Redis user of REDIS_URL " + maskedUrl + " may not run "
                + (command.find() ? command.group(1).toUpperCase(java.util.Locale.ROOT) : "a command or key it needs")
                + " (" + reply + "); see deploy/" + (maskedUrl.toLowerCase(java.util.Locale.ROOT).matches("rediss?-cluster://.*")
                        ? "redis-acl-cluster.conf" : "redis-acl.conf");
    }

    /**
     * What a failure to reach Redis says, down to its root cause: lettuce's own message
     * ("Unable to connect to 127.0.0.1/&lt;unresolved&gt;:6379") alone names no reason.
     */
    public static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder(String.valueOf(failure.getMessage()));
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != failure && root.getMessage() != null && !text.toString().contains(root.getMessage())) {
            text.append(": ").append(root.getMessage());
        }
        return text.toString();
    }
}
