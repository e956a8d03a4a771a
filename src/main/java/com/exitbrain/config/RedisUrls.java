package com.exitbrain.config;

import io.lettuce.core.RedisURI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Keeps passwords out of every log line and health answer; reads ExitBrain's cluster URLs (SPEC §10). */
public final class RedisUrls {
    private static final String CLUSTER_FORM = "redis-cluster://[user:password@]host:port[,host:port...]";

    private RedisUrls() {
    }

    /** Whether {@code url} names a Redis Cluster: {@code redis-cluster://} or {@code rediss-cluster://}, in any case. */
    public static boolean isCluster(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        return lower.startsWith("redis-cluster://") || lower.startsWith("rediss-cluster://");
    }

    /**
     * The seed nodes of a cluster URL, {@code redis-cluster://[user:password@]host:port[,host:port…]}
     * (ExitBrain's own scheme, SPEC §10), each as a Lettuce URI with the URL's credentials and TLS
     * ({@code rediss-cluster://}). A cluster has one database: a path other than {@code /} or
     * {@code /0} is refused, as is a seed that is not {@code host:port}.
     *
     * @throws ConfigurationError naming {@code REDIS_URL} (masked)
     */
    public static List<RedisURI> clusterSeeds(String url) {
        int schemeEnd = url.indexOf("://");
        String scheme = url.substring(0, schemeEnd).toLowerCase(Locale.ROOT).startsWith("rediss") ? "rediss" : "redis";
        String rest = url.substring(schemeEnd + 3);
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q);
            rest = rest.substring(0, q);
        }
        int at = rest.lastIndexOf('@');
        String userInfo = at < 0 ? "" : rest.substring(0, at + 1);
        String hosts = rest.substring(at + 1);
        int slash = hosts.indexOf('/');
        if (slash >= 0) {
            String db = hosts.substring(slash + 1);
            if (!db.isEmpty() && !db.equals("0")) {
                throw clusterRefused(url, "a Redis Cluster has database 0 only, not /" + db);
            }
            hosts = hosts.substring(0, slash);
        }
        List<RedisURI> seeds = new ArrayList<>();
        for (String node : hosts.split(",", -1)) {
            String hostPort = node.trim();
            int colon = hostPort.lastIndexOf(':');
            String host = colon < 0 ? "" : hostPort.substring(0, colon);
            String port = colon < 0 ? "" : hostPort.substring(colon + 1);
            if (host.isEmpty() || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) == 0
                    || Integer.parseInt(port) > 65_535 || (host.contains(":") && !host.startsWith("["))) {
                throw clusterRefused(url, "seed node \"" + mask(hostPort) + "\" is not host:port (" + CLUSTER_FORM + ")");
            }
            try {
                seeds.add(RedisURI.create(scheme + "://" + userInfo + hostPort + query));
            } catch (RuntimeException e) {
                throw clusterRefused(url, "not a usable Redis Cluster URL (" + CLUSTER_FORM + ")");
            }
        }
        return seeds;
    }

    private static ConfigurationError clusterRefused(String url, String why) {
        return new ConfigurationError("exitbrain.redis.url (REDIS_URL) = " + mask(url) + ": " + why);
    }

    /**
     * Replaces the password of any URL-like text, whatever its scheme or case (a refused
     * {@code http://} or {@code REDIS://} value is printed too). The user info runs up to the
     * <em>last</em> {@code @}, so a password holding an unescaped {@code @} or {@code /} is hidden
     * whole: masking too much is harmless, masking too little leaks.
     */
    public static String mask(String url) {
        int scheme = url.indexOf("://");
        int start = scheme < 0 ? 0 : scheme + 3;
        int at = url.lastIndexOf('@');
        if (at < start) {
            return url;
        }
        String userInfo = url.substring(start, at);
        int colon = userInfo.indexOf(':');
        String masked = colon < 0 ? "***" : userInfo.substring(0, colon) + ":***";
        return url.substring(0, start) + masked + url.substring(at);
    }
}
