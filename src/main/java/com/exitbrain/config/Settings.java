package com.exitbrain.config;

import com.exitbrain.engine.Tuning;
import java.util.Map;

/** Every setting of SPEC §6, typed and validated once at start-up by {@link SettingsLoader}. */
public record Settings(
        String redisUrl,
        long commandTimeoutMs,
        Streams streams,
        String group,
        boolean groupStartLatest,
        String consumer,
        int batchSize,
        long blockMs,
        long claimMinIdleMs,
        int maxDeliveries,
        int maxEntryBytes,
        Tuning tuning,
        Map<String, SymbolDefaults> symbols,
        PnlScope pnlScope,
        int pnlWindow,
        long dedupTtlSeconds,
        String keyPrefix,
        String healthBind,
        int healthPort,
        long shutdownTimeoutMs,
        String logLevel,
        Plans plans,
        SentinelSettings sentinel,
        long scopeTtlSeconds,
        Partitioning partitioning) {

    /**
     * @param deadLetterMaxLen the dead-letter stream's own trim length: its entries carry payloads of
     *                         up to 16 KiB each, so it is bounded far lower than the outputs
     */
    public record Streams(String positionOpened, String tradeClosed, String levels, String stats,
                          String deadLetter, long outputMaxLen, String fills, String plans, long deadLetterMaxLen) {
    }

    /** SPEC §9's settings: exit plans kept per position, fed by the fills stream. */
    public record Plans(boolean enabled, com.exitbrain.plan.StopRule afterTp1, com.exitbrain.plan.StopRule afterTp2,
                        java.math.BigDecimal breakevenOffset,
                        boolean recordTrades, long ttlSeconds, long closedTtlSeconds) {
        public com.exitbrain.plan.StopRules stopRules() {
            return new com.exitbrain.plan.StopRules(afterTp1, afterTp2, breakevenOffset);
        }
    }

    public enum PnlScope { GLOBAL, SYMBOL }

    public SymbolDefaults symbolDefaults(String symbol) {
        return symbols.getOrDefault(symbol, SymbolDefaults.NONE);
    }

    /** The PnL scope a symbol's trades and positions belong to: {@code global} or {@code symbol:<SYMBOL>}. */
    public String pnlScopeOf(String symbol) {
        return pnlScope == PnlScope.GLOBAL ? com.exitbrain.pnl.PnlKeys.GLOBAL : "symbol:" + symbol;
    }

    /** How often pending entries are looked for: min(idle/2, 5 s) (SPEC §8). */
    public long claimIntervalMs() {
        return Math.max(1, Math.min(claimMinIdleMs / 2, 5000));
    }

    /** Whether {@code REDIS_URL} names a Redis Cluster ({@code redis-cluster://}, {@code rediss-cluster://}). */
    public boolean cluster() {
        return RedisUrls.isCluster(redisUrl);
    }

    /**
     * This configuration as partition {@code p} sees it (SPEC §10): every stream name and the key
     * prefix carry the partition's tag on a cluster; the rest is shared.
     */
    public Settings partition(int p) {
        Partitioning view = partitioning.at(p);
        Streams s = new Streams(view.stream(streams.positionOpened), view.stream(streams.tradeClosed),
                view.stream(streams.levels), view.stream(streams.stats), view.stream(streams.deadLetter),
                streams.outputMaxLen, view.stream(streams.fills), view.stream(streams.plans), streams.deadLetterMaxLen);
        return new Settings(redisUrl, commandTimeoutMs, s, group, groupStartLatest, consumer, batchSize, blockMs,
                claimMinIdleMs, maxDeliveries, maxEntryBytes, tuning, symbols, pnlScope, pnlWindow, dedupTtlSeconds,
                view.keyPrefix(keyPrefix), healthBind, healthPort, shutdownTimeoutMs, logLevel, plans, sentinel,
                scopeTtlSeconds, view);
    }

    /** Every partition's view, in order (one, this configuration's names, unless on a cluster). */
    public java.util.List<Settings> partitions() {
        return java.util.stream.IntStream.range(0, partitioning.count()).mapToObj(this::partition).toList();
    }

    /** The Redis URL with any password replaced, for logs and the health port. */
    public String redisUrlMasked() {
        return RedisUrls.mask(redisUrl);
    }
}
