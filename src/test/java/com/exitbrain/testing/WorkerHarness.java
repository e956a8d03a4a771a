package com.exitbrain.testing;

import com.exitbrain.config.Settings;
import com.exitbrain.config.SettingsLoader;
import com.exitbrain.app.Daemon;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/** Starts an in-process daemon against a test Redis, with settings from environment-style overrides. */
public final class WorkerHarness {
    private WorkerHarness() {
    }

    public static Map<String, String> env(RedisProcess redis, String... pairs) {
        return env(redis.url(), pairs);
    }

    public static Map<String, String> env(String redisUrl, String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("REDIS_URL", redisUrl);
        env.put("HEALTH_PORT", "0");
        env.put("EXITBRAIN_CONSUMER", "test-worker");
        env.put("EXITBRAIN_BLOCK_MS", "100");
        env.put("EXITBRAIN_CONFIG", "");
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    public static Settings settings(Map<String, String> env) {
        return new SettingsLoader(env).load();
    }

    public static Daemon start(RedisProcess redis, String... pairs) {
        try {
            return new Daemon(settings(env(redis, pairs))).start();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
