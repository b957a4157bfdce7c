-- Releases a claim: its messages become free with their TTL unchanged; a missing claim is fine. ARGV: now, claim id.
local now = tonumber(ARGV[1])
local cid = ARGV[2]
for _, id in ipairs(redis.call('ZRANGE', cmkey(K, cid), 0, -1)) do
  local m = load(K, id)
  if m and m.l == cid then
    redis.call('HSET', mkey(K, id), 'l', '', 'x', 0)
    redis.call('ZREM', K.claimed, id)
    if m.e <= now then
      remove(K, { id = id, l = '' })
    elseif m.v > now then
      redis.call('ZADD', K.delayed, m.v, id)
    else
      redis.call('ZADD', K.avail, m.k, id)
    end
  end
end
redis.call('DEL', ckey(K, cid), cmkey(K, cid))
redis.call('ZREM', K.claims, cid)
return 1
