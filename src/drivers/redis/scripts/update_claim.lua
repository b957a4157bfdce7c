-- Renews a live claim from now with a new ttl and grace, extending its messages. ARGV: now, claim id, ttl, grace.
-- Returns 0 when the claim is missing or expired, else 1.
local now = tonumber(ARGV[1])
local cid = ARGV[2]
local ttl, grace = tonumber(ARGV[3]), tonumber(ARGV[4])
local ends = redis.call('HGET', ckey(K, cid), 'e')
if not ends or tonumber(ends) <= now then return 0 end
local expires = now + ttl * 1000
local keepUntil = expires + grace * 1000
redis.call('HSET', ckey(K, cid), 't', ttl, 'g', grace, 'u', now, 'e', expires)
redis.call('ZADD', K.claims, expires, cid)
for _, id in ipairs(redis.call('ZRANGE', cmkey(K, cid), 0, -1)) do
  local m = load(K, id)
  if m and m.l == cid and m.e > now then
    if m.e < keepUntil then
      m.e, m.t = keepUntil, ttl + grace
      redis.call('ZADD', K.exp, m.e, id)
    end
    redis.call('HSET', mkey(K, id), 'x', expires, 'e', m.e, 't', m.t)
    redis.call('ZADD', K.claimed, expires, id)
  end
end
return 1
