-- Stores a subscription unless a live one of the queue has the same subscriber (its id is returned instead).
-- Fields of B:s:<sid>: u subscriber, t ttl seconds, c created, e expires, o options JSON, f confirmed ('1'/'0').
-- ARGV: now, new id, subscriber, ttl seconds, options JSON, confirmed (1/0). Returns { id, 1 created / 0 existed }.
local now = tonumber(ARGV[1])
local sid, subscriber, ttl = ARGV[2], ARGV[3], tonumber(ARGV[4])
local existing = redis.call('HGET', K.subr, subscriber)
if existing and isLive(K, existing, now) then return { existing, 0 } end
local expires = now + ttl * 1000
redis.call('HSET', skey(K, sid), 'u', subscriber, 't', ttl, 'c', now, 'e', expires, 'o', ARGV[5], 'f', ARGV[6])
redis.call('ZADD', K.subs, 0, sid)
redis.call('ZADD', K.subexp, expires, sid)
-- An expired subscription with this subscriber may still be stored; the map now names the live one.
redis.call('HSET', K.subr, subscriber, sid)
return { sid, 1 }
