-- Claims up to `limit` of the oldest free, visible messages. A message already claimed `_max_claim_count` times
-- moves to the dead-letter queue instead (same project; its keys come from the dlb field the driver stored).
-- ARGV: now, claim id, ttl seconds, grace seconds, limit. Returns {} when nothing was claimed, else
-- { expires, { message reply... } }.
local now = tonumber(ARGV[1])
local cid = ARGV[2]
local ttl, grace, limit = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
if redis.call('EXISTS', K.q) == 0 then return {} end
freeEndedClaims(K, now)
releaseDelayed(K, now)

local policy = redis.call('HMGET', K.q, 'dlb', 'dli', 'dlm', 'dlt')
local deadBase, deadMember = policy[1], policy[2]
local maxClaims, deadTtl = tonumber(policy[3] or ''), tonumber(policy[4] or '') or 0

-- The message keeps its id, body, producer and created time; it starts free in the dead-letter queue.
local function deadLetter(m)
  remove(K, m)
  local D = keyset(deadBase)
  ensureQueue(D, deadMember)
  local seconds = deadTtl > 0 and deadTtl or m.t
  local marker = redis.call('HINCRBY', D.q, 'seq', 1)
  store(D, { id = m.id, k = marker, t = seconds, c = m.c, e = now + seconds * 1000, v = now, b = m.b, p = m.p, n = 0 },
    now)
end

local expires = now + ttl * 1000
local keepUntil = expires + grace * 1000
local out = {}
while #out < limit do
  local m = nextAvailable(K, now)
  if not m then break end
  if deadBase and maxClaims and m.n >= maxClaims then
    deadLetter(m)
  else
    m.l, m.x, m.n = cid, expires, m.n + 1
    -- A claimed message lives at least until the claim ends plus grace (its TTL is then claim ttl + grace).
    if m.e < keepUntil then
      m.e, m.t = keepUntil, ttl + grace
      redis.call('ZADD', K.exp, m.e, m.id)
    end
    redis.call('HSET', mkey(K, m.id), 'l', cid, 'x', expires, 'n', m.n, 'e', m.e, 't', m.t)
    redis.call('ZADD', K.claimed, expires, m.id)
    redis.call('ZADD', cmkey(K, cid), m.k, m.id)
    out[#out + 1] = reply(m, now)
  end
end
if #out == 0 then return {} end
redis.call('HSET', ckey(K, cid), 't', ttl, 'g', grace, 'u', now, 'e', expires)
redis.call('ZADD', K.claims, expires, cid)
return { expires, out }
