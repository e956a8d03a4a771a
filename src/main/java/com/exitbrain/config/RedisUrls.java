package com.exitbrain.config;

import java.util.regex.Pattern;

/** Keeps passwords out of every log line and health answer. */
public final class RedisUrls {
    private static final Pattern USER_INFO = Pattern.compile("^(rediss?://)([^@/]*)@");

    private RedisUrls() {
    }

    public static String mask(String url) {
        var matcher = USER_INFO.matcher(url);
        if (!matcher.find()) {
            return url;
        }
        String userInfo = matcher.group(2);
        int colon = userInfo.indexOf(':');
        String masked = colon < 0 ? "***" : userInfo.substring(0, colon) + ":***";
        return matcher.group(1) + masked + "@" + url.substring(matcher.end());
    }
}
