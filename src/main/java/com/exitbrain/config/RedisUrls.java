package com.exitbrain.config;

/** Keeps passwords out of every log line and health answer. */
public final class RedisUrls {
    private RedisUrls() {
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
