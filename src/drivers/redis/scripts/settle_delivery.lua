-- Settles a taken delivery. delivered: it goes. retry: attempts + 1, due again at the given time, last error kept.
-- failed: it moves to its subscription's failed list (newest first, at most `kept`), as a JSON array of its
-- fields plus i id, d due at, F failed at; when the subscription itself is gone nobody can list it, so it just goes.
-- ARGV: now, id, outcome, due at (retry), error, kept. Returns 0 when the delivery is missing, else 1.
local id, outcome = ARGV[2], ARGV[3]
local key, member = dkey(K, id), dueMember(K, id)
local sid = redis.call('HGET', key, 's')
if not sid then return 0 end
if outcome == 'retry' then
  redis.call('HINCRBY', key, 'a', 1)
  redis.call('HSET', key, 'r', ARGV[5])
  redis.call('ZADD', DUE, ARGV[4], member)
  return 1
end
if outcome == 'failed' and redis.call('EXISTS', skey(K, sid)) == 1 then
  local fields = redis.call('HGETALL', key)
  local entry = { 'i', id, 'd', redis.call('ZSCORE', DUE, member) or ARGV[1], 'F', ARGV[1], 'r', ARGV[5] }
  for i = 1, #fields, 2 do
    local field, value = fields[i], fields[i + 1]
    if field == 'a' then value = tostring(tonumber(value) + 1) end
    if field ~= 'r' then
      entry[#entry + 1] = field
      entry[#entry + 1] = value
    end
  end
  redis.call('LPUSH', sfkey(K, sid), cjson.encode(entry))
  redis.call('LTRIM', sfkey(K, sid), 0, tonumber(ARGV[6]) - 1)
end
redis.call('DEL', key)
redis.call('ZREM', DUE, member)
redis.call('SREM', sdkey(K, sid), id)
return 1
