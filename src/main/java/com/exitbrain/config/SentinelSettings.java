package com.exitbrain.config;

import io.lettuce.core.RedisURI;
import java.util.Locale;
import java.util.Map;

/**
 * SPEC §10, Sentinel: a {@code redis-sentinel://} (or {@code rediss-sentinel://}) {@code REDIS_URL}
 * in Lettuce's own form, {@code redis-sentinel://[user:password@]host:26379[,host:26380…][/db]#<master>},
 * and the sentinels' own credentials. The URL's credentials are the data nodes' (Lettuce applies them
 * to the primary only); sentinels that require a password of their own take
 * {@code REDIS_SENTINEL_USER} / {@code REDIS_SENTINEL_PASSWORD}, read from the environment only (as a
 * secret, beside {@code REDIS_URL} in the unit's environment file).
 *
 * @param user     the sentinels' ACL user, null for the {@code default} user (password only)
 * @param password the sentinels' password, null when they require none
 */
public record SentinelSettings(String user, String password) {
    public static final String USER_VARIABLE = "REDIS_SENTINEL_USER";
    public static final String PASSWORD_VARIABLE = "REDIS_SENTINEL_PASSWORD";
    private static final String NO_MASTER = "no master name: a Sentinel URL ends in #<master>, the name the"
            + " sentinels monitor (sentinel monitor <master> ...), e.g. redis-sentinel://host:26379,host:26380#mymaster";
    private static final SentinelSettings NONE = new SentinelSettings(null, null);

    /** Whether {@code url} names sentinels rather than one Redis (its scheme, in any case). */
    public static boolean isSentinelUrl(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        return lower.startsWith("redis-sentinel://") || lower.startsWith("rediss-sentinel://");
    }

    /**
     * The checks Lettuce leaves to the first connection attempt, where they would only be retried
     * for ever: a master name after {@code #}, and every sentinel a host with an optional port.
     */
    static void checkUrl(String url) {
        int hash = url.indexOf('#');
        if ((hash < 0 || url.substring(hash + 1).isBlank()) && !url.contains("sentinelMasterId=")) {
            throw refused(url, NO_MASTER);
        }
        RedisURI uri;
        try {
            uri = RedisURI.create(url);
        } catch (RuntimeException e) {
            throw refused(url, "not a usable Redis Sentinel URL (redis-sentinel://[user:password@]host:26379"
                    + "[,host:26380...][/db]#<master>)");
        }
        if (uri.getSentinelMasterId() == null || uri.getSentinelMasterId().isBlank()) {
            throw refused(url, NO_MASTER);
        }
        if (uri.getSentinels().isEmpty()) {
            throw refused(url, "no sentinel in it (host:port[,host:port...])");
        }
        for (RedisURI sentinel : uri.getSentinels()) {
            String host = sentinel.getHost();
            if (host == null || host.isEmpty() || (host.contains(":") && !host.startsWith("["))
                    || sentinel.getPort() <= 0 || sentinel.getPort() > 65_535) {
                throw refused(url, "sentinel " + host + " is not host[:port] (a host name may hold letters,"
                        + " digits, '-' and '.')");
            }
        }
    }

    /** The sentinels' credentials from the environment; refused when they cannot be used. */
    static SentinelSettings fromEnvironment(Map<String, String> env, String redisUrl) {
        String user = blankIsNull(env.get(USER_VARIABLE));
        String password = blankIsNull(env.get(PASSWORD_VARIABLE));
        if (user == null && password == null) {
            return NONE;
        }
        String named = password != null ? PASSWORD_VARIABLE : USER_VARIABLE;
        if (!isSentinelUrl(redisUrl)) {
            throw new ConfigurationError(named + " is set, but exitbrain.redis.url (REDIS_URL) = "
                    + RedisUrls.mask(redisUrl) + " names no sentinels: it applies to a redis-sentinel:// or"
                    + " rediss-sentinel:// URL only");
        }
        if (password == null) {
            throw new ConfigurationError(USER_VARIABLE + " = " + user + " without " + PASSWORD_VARIABLE
                    + ": a sentinel ACL user needs its password");
        }
        return new SentinelSettings(user, password);
    }

    /** Gives every sentinel of {@code uri} these credentials (none: left as Lettuce parsed them). */
    public void applyTo(RedisURI uri) {
        if (password == null) {
            return;
        }
        for (RedisURI sentinel : uri.getSentinels()) {
            if (user == null) {
                sentinel.setAuthentication(password);
            } else {
                sentinel.setAuthentication(user, password);
            }
        }
    }

    /** The start-up error (or /health text) when the sentinels refuse these credentials, or their absence. */
    public static String refused(String reply, SentinelSettings sentinel) {
        boolean none = sentinel == null || sentinel.password() == null;
        return (none ? "the sentinels require a password: set " + PASSWORD_VARIABLE + " (and " + USER_VARIABLE
                + " for an ACL user)" : "the sentinels refused the credentials of " + PASSWORD_VARIABLE
                + (sentinel.user() == null ? "" : " and " + USER_VARIABLE + " = " + sentinel.user()))
                + " (" + reply + "); the URL's credentials are the data nodes'";
    }

    /** Never the password (a record would print it). */
    @Override
    public String toString() {
        return password == null ? "none" : (user == null ? "" : user + ":") + "***";
    }

    private static String blankIsNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static ConfigurationError refused(String url, String why) {
        return new ConfigurationError("exitbrain.redis.url (REDIS_URL) = " + RedisUrls.mask(url) + ": " + why);
    }
}
