-- Commits a batch of input entries in one call, in order: for each entry its output, its state
-- change and its XACK, all or nothing per entry (SPEC §4). The worker computed each entry's effect
-- from the state it knew; every check below comes before the entry's first write, so an entry
-- refused by a check changes nothing and stays pending, and the entries after it still commit.
--
-- Pending check: XACK's own reply. In one atomic script "acked now" (1) and "was pending" are the
-- same fact, so a separate XPENDING per entry buys nothing; XACK comes after every read-only check
-- (an entry refused as stale or in conflict must stay pending) and before the entry's writes, whose
-- key types were checked first, so nothing can fail between the ack and the output.
--
-- KEYS: every key of the batch, each once; the records below name keys by their index in KEYS.
-- ARGV[1] group, ARGV[2] output MAXLEN (approximate), ARGV[3] dead-letter MAXLEN (approximate),
-- ARGV[4] the number of shapes, then each shape: <n> and n field names (the names of an output
-- entry are the same from one entry to the next: sent once per call, they halve the arguments,
-- which is what a call costs Redis and the client most), then one record per entry:
--   <op> <input #> <entry id> <op arguments> ... where a field list is <shape #> then its n values
--   A  (acknowledge only: deleted while pending)
--   D  <output #> <fields>                                             dead letter
--   L  <output #> <scope #> <avg seen> <plan #|0> <plan ttl> <plan version> <plan state> <fields>
--        levels; the levels' last field is `plan`, set here to created / exists
--   T  <trade part>                                                    trade closed
--   F  <output #> <plan #> <version seen> <fill id> <plan ttl> <new version> <plan state> <fields> <record 0|1|2> [<trade part>]
--        fill applied; record 1: the trade is recorded, 2: it was recorded before (only checked)
--   R  <output #> <plan #> <version seen> <fill id> <fields>           fill refused: dead letter
--   <trade part> = <stats #> <scope #> <window #> <marker #> <global #> <global window #>
--        <total seen> <last id seen> <window entry|''> <window size> <marker ttl> <scope ttl> <avg> <win rate>
--        <window trades> <new last id> <fields>
-- A plan is a hash: `state` (the plan, encoded by the worker), `v` (its version: the id of the input
-- that made its last change, so that a change computed from another history never matches) and one `f:<fill id>` per applied fill (so the fill ids expire with the plan).
-- Returns one code per entry: ok, exists (levels published, plan there already), gone (not
-- pending: handled before), stale (the scope's avg_pnl is not the one seen), conflict (the scope
-- or plan is not at the version seen), dup (trade id or fill id applied before: acked, no
-- output), wrongtype:<key> (a key holds another type: nothing done, left pending).
local group, maxlen, dlqMaxlen = ARGV[1], ARGV[2], ARGV[3]
local types, averages, versions = {}, {}, {}
local results = {}
-- the header after ARGV[3]: the number of shapes, then each shape as its count and its field names
local shapes = {}
local at = 5
for s = 1, tonumber(ARGV[4]) do
  local n = tonumber(ARGV[at])
  local names = {}
  for i = 1, n do
    names[i] = ARGV[at + i]
  end
  shapes[s] = names
  at = at + n + 1
end

local function nextArg()
  local v = ARGV[at]
  at = at + 1
  return v
end

local function nextKey()
  local i = tonumber(ARGV[at])
  at = at + 1
  if i == 0 then
    return nil
  end
  return KEYS[i]
end

-- a field list: its shape (the names, listed once per call in the header) and its values; returns
-- the index of its first value and the names
local function nextFields()
  local names = shapes[tonumber(ARGV[at])]
  local first = at + 1
  at = first + #names
  return first, names
end

-- a plan key is checked by reading its version: one call instead of TYPE and HGET
local function planReadable(plan)
  if versions[plan] ~= nil then
    return true
  end
  local v = redis.pcall('HGET', plan, 'v')
  if type(v) == 'table' and v.err then
    return false
  end
  versions[plan] = v or ''
  return true
end

-- nil when the key may be written as a `want` (absent, or of that type), else the entry's code; the
-- type of each key is read once per call ('plan' keys: by reading their version)
local function wrong(key, want)
  if key == nil then
    return nil
  end
  if want == 'plan' then
    if planReadable(key) then
      return nil
    end
    return 'wrongtype:' .. key
  end
  local t = types[key]
  if t == nil then
    t = redis.call('TYPE', key)['ok']
    types[key] = t
  end
  if t == 'none' or t == want then
    return nil
  end
  return 'wrongtype:' .. key
end

local function written(key, want)
  if types[key] == 'none' then
    types[key] = want
  end
end

-- a hash field read once per call, then as the call's own writes left it
local function cachedField(cache, key, field)
  local value = cache[key]
  if value == nil then
    value = redis.call('HGET', key, field) or ''
    cache[key] = value
  end
  return value
end

local function average(scope)
  return cachedField(averages, scope, 'avg_pnl')
end

local function planVersion(plan)
  return cachedField(versions, plan, 'v')
end

-- per shape its names with a slot after each for a value: an entry writes only its values into it
-- (building the name/value list anew for each entry was a fifth of the script's time)
local templates = {}
local function append(stream, limit, first, names)
  local n = #names
  local t = templates[names]
  if t == nil then
    t = {}
    for i = 1, n do
      t[2 * i - 1] = names[i]
    end
    templates[names] = t
  end
  local v = first - 1
  for i = 2, 2 * n, 2 do
    t[i] = ARGV[v + i / 2]
  end
  redis.call('XADD', stream, 'MAXLEN', '~', limit, '*', unpack(t, 1, 2 * n))
  written(stream, 'stream')
end

-- reads a trade part into a table
local function tradePart()
  local t = {stats = nextKey(), scope = nextKey(), window = nextKey(), marker = nextKey(), global = nextKey(),
             gwindow = nextKey(), total = nextArg(), last = nextArg(), entry = nextArg(), size = nextArg(),
             ttl = nextArg(), scopeTtl = nextArg(), avg = nextArg(), winRate = nextArg(), windowTrades = nextArg(),
             newLast = nextArg()}
  t.first, t.names = nextFields()
  return t
end

local function tradeWrongType(t)
  return wrong(t.stats, 'stream') or wrong(t.scope, 'hash') or wrong(t.window, 'list') or wrong(t.global, 'hash')
    or wrong(t.gwindow, 'list')
end

-- 'ok' when the trade may be recorded now, 'dup' when its id was recorded before, else 'conflict'
local function tradeVerdict(t)
  if redis.call('EXISTS', t.marker) == 1 then
    return 'dup'
  end
  if t.entry == '' then
    -- the worker took this id for a duplicate of one before it whose recording did not happen
    -- (it lost a race): recording this one with stats that leave it out would be wrong; re-read
    return 'conflict'
  end
  local state = redis.call('HMGET', t.scope, 'total_trades', 'last_id')
  if (state[1] or '0') ~= t.total or (state[2] or '') ~= t.last then
    return 'conflict'
  end
  return 'ok'
end

local function recordTrade(t, id)
  local size = tonumber(t.size)
  append(t.stats, maxlen, t.first, t.names)
  redis.call('LPUSH', t.window, t.entry)
  redis.call('LTRIM', t.window, 0, size - 1)
  redis.call('HSET', t.scope, 'total_trades', tostring(tonumber(t.total) + 1), 'last_id', t.newLast,
    'avg_pnl', t.avg, 'win_rate', t.winRate, 'window_trades', t.windowTrades)
  if t.global ~= t.scope then
    -- symbol scope: as many scopes as symbols, each kept scope-ttl after its last trade; the
    -- global window and count still feed the health port
    redis.call('EXPIRE', t.scope, t.scopeTtl)
    redis.call('EXPIRE', t.window, t.scopeTtl)
    redis.call('HINCRBY', t.global, 'total_trades', 1)
    redis.call('LPUSH', t.gwindow, t.entry)
    redis.call('LTRIM', t.gwindow, 0, size - 1)
    written(t.global, 'hash')
    written(t.gwindow, 'list')
  end
  redis.call('SET', t.marker, id, 'EX', t.ttl)
  averages[t.scope] = t.avg
  written(t.scope, 'hash')
  written(t.window, 'list')
end

local function ack(input, id)
  return redis.call('XACK', input, group, id) == 1
end

while at <= #ARGV do
  local op = nextArg()
  local input = nextKey()
  local id = nextArg()
  local result
  if op == 'A' then
    ack(input, id)
    result = 'ok'
  elseif op == 'D' then
    local out = nextKey()
    local first, names = nextFields()
    result = wrong(input, 'stream') or wrong(out, 'stream')
    if result == nil then
      if ack(input, id) then
        append(out, dlqMaxlen, first, names)
        result = 'ok'
      else
        result = 'gone'
      end
    end
  elseif op == 'L' then
    local out, scope = nextKey(), nextKey()
    local seen = nextArg()
    local plan = nextKey()
    local ttl = nextArg()
    local newVersion = nextArg()
    local state = nextArg()
    local first, names = nextFields()
    result = wrong(input, 'stream') or wrong(out, 'stream') or wrong(scope, 'hash') or wrong(plan, 'plan')
    if result == nil then
      if average(scope) ~= seen then
        result = 'stale'
      elseif not ack(input, id) then
        result = 'gone'
      else
        result = 'ok'
        if plan ~= nil then
          if planVersion(plan) ~= '' then
            ARGV[first + #names - 1] = 'exists'
            result = 'exists'
          else
            redis.call('HSET', plan, 'v', newVersion, 'state', state)
            redis.call('EXPIRE', plan, ttl)
            versions[plan] = newVersion
          end
        end
        append(out, maxlen, first, names)
      end
    end
  elseif op == 'T' then
    local t = tradePart()
    result = wrong(input, 'stream') or tradeWrongType(t)
    if result == nil then
      local verdict = tradeVerdict(t)
      if verdict == 'conflict' then
        result = verdict
      elseif not ack(input, id) then
        result = 'gone'
      elseif verdict == 'dup' then
        result = 'dup'
      else
        recordTrade(t, id)
        result = 'ok'
      end
    end
  elseif op == 'F' or op == 'R' then
    local out, plan = nextKey(), nextKey()
    local seen, fillId = nextArg(), nextArg()
    local ttl, newVersion, state, record, t
    if op == 'F' then
      ttl = nextArg()
      newVersion = nextArg()
      state = nextArg()
    end
    local first, names = nextFields()
    if op == 'F' then
      record = nextArg()
      if record ~= '0' then
        t = tradePart()
      end
    end
    result = wrong(input, 'stream') or wrong(out, 'stream') or wrong(plan, 'plan')
    if result == nil and t ~= nil then
      result = tradeWrongType(t)
    end
    if result == nil then
      if redis.call('HEXISTS', plan, 'f:' .. fillId) == 1 then
        result = ack(input, id) and 'dup' or 'gone'
      elseif planVersion(plan) ~= seen then
        result = 'conflict'
      elseif t ~= nil then
        local verdict = tradeVerdict(t)
        if (record == '1' and verdict ~= 'ok') or (record == '2' and verdict ~= 'dup') then
          result = 'conflict'
        end
      end
      if result == nil then
        if not ack(input, id) then
          result = 'gone'
        elseif op == 'R' then
          append(out, dlqMaxlen, first, names)
          result = 'ok'
        else
          redis.call('HSET', plan, 'v', newVersion, 'state', state, 'f:' .. fillId, id)
          redis.call('EXPIRE', plan, ttl)
          versions[plan] = newVersion
          append(out, maxlen, first, names)
          if record == '1' then
            recordTrade(t, id)
          end
          result = 'ok'
        end
      end
    end
  else
    return redis.error_reply('commit.lua: unknown op ' .. tostring(op) .. ' at argument ' .. (at - 3))
  end
  results[#results + 1] = result
end
return results
