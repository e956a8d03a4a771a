-- Publishes the one output entry of one input entry and acks the input, atomically (SPEC §4).
-- The pending check comes first: an entry another worker already handled yields nothing, and a
-- failing XADD leaves the input pending (unacked) rather than acked without output.
-- KEYS[1] input stream, KEYS[2] output stream
-- ARGV[1] group, ARGV[2] input entry id, ARGV[3] output MAXLEN (approximate), ARGV[4..] field/value pairs
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
if #pending == 0 then
  return 0
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', unpack(ARGV, 4))
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return 1
