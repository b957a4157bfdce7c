-- Posts a batch in order: creates the queue if missing, gives the messages increasing markers, records one pending
-- delivery per (message, live confirmed subscription) in the same step (a 201 implies the pushes are recorded), and
-- deletes a bounded number of expired messages so a queue that is written but never read stays bounded.
-- ARGV: now, client id, index member, project, queue, delivery nonce, then (id, ttl seconds, delay seconds,
-- body JSON) per message.
local now = tonumber(ARGV[1])
local client = ARGV[2]
ensureQueue(K, ARGV[3])
local count = (#ARGV - 6) / 4
local last = redis.call('HINCRBY', K.q, 'seq', count)
local first = last - count + 1
local posted = {}
for i = 0, count - 1 do
  local at = 7 + i * 4
  local ttl = tonumber(ARGV[at + 1])
  store(K, {
    id = ARGV[at], k = first + i, t = ttl, c = now, e = now + ttl * 1000,
    v = now + tonumber(ARGV[at + 2]) * 1000, b = ARGV[at + 3], p = client, n = 0,
  }, now)
  posted[i + 1] = { b = ARGV[at + 3], t = ARGV[at + 1] }
end
fanOut(K, ARGV[4], ARGV[5], posted, now, ARGV[6])
removeExpired(K, now, 2 * count + 16)
return last
