-- Records one closed trade in its scope's rolling window, publishes the scope's stats and acks the
-- input, atomically (SPEC §2, §4). A trade id seen before is acked and counted no more. The worker
-- computed the stats from the state it read; (total_trades, last_id) is that state's version, and a
-- different version means another worker recorded in between: nothing is done, the worker re-reads.
-- KEYS[1] input stream, KEYS[2] stats stream, KEYS[3] scope hash, KEYS[4] scope window,
-- KEYS[5] trade id marker, KEYS[6] global hash, KEYS[7] global window
-- ARGV[1] group, ARGV[2] input entry id, ARGV[3] stats MAXLEN (approximate),
-- ARGV[4] expected total_trades, ARGV[5] expected last_id, ARGV[6] window entry ('' when the worker
-- takes the id for a duplicate), ARGV[7] window size,
-- ARGV[8] marker time to live (s), ARGV[9] avg_pnl, ARGV[10] win_rate, ARGV[11] window_trades,
-- ARGV[12..] stats entry field/value pairs
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
if #pending == 0 then
  return 'gone'
end
if redis.call('EXISTS', KEYS[5]) == 1 then
  redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
  return 'duplicate'
end
if ARGV[6] == '' then
  -- the worker took this id for a duplicate of one before it, whose recording has not happened
  -- (it lost a race): recording this one with stats that leave it out would be wrong; re-read
  return 'conflict'
end
local state = redis.call('HMGET', KEYS[3], 'total_trades', 'last_id')
local total = state[1] or '0'
local last = state[2] or ''
if total ~= ARGV[4] or last ~= ARGV[5] then
  return 'conflict'
end
local size = tonumber(ARGV[7])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', unpack(ARGV, 12))
redis.call('LPUSH', KEYS[4], ARGV[6])
redis.call('LTRIM', KEYS[4], 0, size - 1)
redis.call('HSET', KEYS[3], 'total_trades', tostring(tonumber(total) + 1), 'last_id', ARGV[2],
  'avg_pnl', ARGV[9], 'win_rate', ARGV[10], 'window_trades', ARGV[11])
if KEYS[6] ~= KEYS[3] then
  -- symbol scope: the global window and count still feed the health port
  redis.call('HINCRBY', KEYS[6], 'total_trades', 1)
  redis.call('LPUSH', KEYS[7], ARGV[6])
  redis.call('LTRIM', KEYS[7], 0, size - 1)
end
redis.call('SET', KEYS[5], ARGV[2], 'EX', ARGV[8])
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return 'recorded'
