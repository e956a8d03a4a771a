-- Publishes the one output entry of one input entry and acks the input, atomically (SPEC §4).
-- The pending check comes first: an entry another worker already handled yields nothing, and a
-- failing XADD leaves the input pending (unacked) rather than acked without output.
-- Levels are computed from their PnL scope's average as the worker last knew it; if a trade has
-- been recorded since (by another worker), the average differs and nothing is done: the worker
-- recomputes with the current one. So published levels always used the average of their moment.
-- KEYS[1] input stream, KEYS[2] output stream, KEYS[3] (levels only) the PnL scope hash
-- ARGV[1] group, ARGV[2] input entry id, ARGV[3] output MAXLEN (approximate),
-- ARGV[4] the scope's avg_pnl the levels were computed from ('' for none), ARGV[5..] field/value pairs
-- Returns 1 published, 0 not pending (already handled), -1 the average is stale.
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
if #pending == 0 then
  return 0
end
if KEYS[3] and (redis.call('HGET', KEYS[3], 'avg_pnl') or '') ~= ARGV[4] then
  return -1
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', unpack(ARGV, 5))
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return 1
