-- Changes a live subscription. ARGV: now, id, subscriber, ttl seconds, options JSON, confirmed ('1'/'0'), each ''
-- when unchanged. Returns 0 when it is missing or expired, 1 when another live subscription has the new
-- subscriber (nothing changed), 2 when changed. A new TTL counts from now.
local now = tonumber(ARGV[1])
local sid, subscriber, ttl, options, confirmed = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
if not isLive(K, sid, now) then return 0 end
local key = skey(K, sid)
if subscriber ~= '' then
  local current = redis.call('HGET', key, 'u')
  if subscriber ~= current then
    local other = redis.call('HGET', K.subr, subscriber)
    if other and other ~= sid and isLive(K, other, now) then return 1 end
    if redis.call('HGET', K.subr, current) == sid then redis.call('HDEL', K.subr, current) end
    redis.call('HSET', K.subr, subscriber, sid)
    redis.call('HSET', key, 'u', subscriber)
  end
end
if options ~= '' then redis.call('HSET', key, 'o', options) end
if confirmed ~= '' then redis.call('HSET', key, 'f', confirmed) end
if ttl ~= '' then
  local expires = now + tonumber(ttl) * 1000
  redis.call('HSET', key, 't', ttl, 'e', expires)
  redis.call('ZADD', K.subexp, expires, sid)
end
return 2
