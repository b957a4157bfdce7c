-- Posts a batch in order: creates the queue if missing, gives the messages increasing markers, and deletes a
-- bounded number of expired messages so a queue that is written but never read stays bounded.
-- ARGV: now, client id, index member, then (id, ttl seconds, delay seconds, body JSON) per message.
local now = tonumber(ARGV[1])
local client = ARGV[2]
ensureQueue(K, ARGV[3])
local count = (#ARGV - 3) / 4
local last = redis.call('HINCRBY', K.q, 'seq', count)
local first = last - count + 1
for i = 0, count - 1 do
  local at = 4 + i * 4
  local ttl = tonumber(ARGV[at + 1])
  store(K, {
    id = ARGV[at], k = first + i, t = ttl, c = now, e = now + ttl * 1000,
    v = now + tonumber(ARGV[at + 2]) * 1000, b = ARGV[at + 3], p = client, n = 0,
  }, now)
end
removeExpired(K, now, 2 * count + 16)
return last
