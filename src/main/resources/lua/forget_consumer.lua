-- Removes a consumer from a group, but only if it holds no pending entry and has been idle for at
-- least the given time, both checked in the same atomic step as the removal: XGROUP DELCONSUMER
-- on its own would drop the consumer's pending entries, which nobody could then claim.
-- KEYS[1] stream; ARGV[1] group, ARGV[2] consumer, ARGV[3] minimum idle time (ms)
-- Returns 1 removed, 0 kept (or not there).
for _, consumer in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local info = {}
  for i = 1, #consumer, 2 do
    info[consumer[i]] = consumer[i + 1]
  end
  if info['name'] == ARGV[2] then
    if info['pending'] == 0 and info['idle'] >= tonumber(ARGV[3]) then
      redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
      return 1
    end
    return 0
  end
end
return 0
