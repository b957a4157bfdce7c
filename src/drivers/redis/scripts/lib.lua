-- Shared helpers, prepended to every qgate script: key names, message records, removal, freeing expired claims.
--
-- KEYS (the same eleven for every queue script, see keys.ts): queue hash, messages, available, delayed, expiry,
-- claimed, claims, created, queue index, delivery due index, delivery sequence. Message, claim, subscription and
-- delivery keys derive from the queue's base `qg:{p/q}`, so they live in the same slot. The store-wide
-- take_deliveries script gets the due index alone (K is nil there). Times are epoch ms from the caller's clock (ARGV), never Redis's own TIME.

local function keyset(base)
  return {
    base = base,
    q = base .. ':q',
    msgs = base .. ':msgs',
    avail = base .. ':avail',
    delayed = base .. ':delayed',
    exp = base .. ':exp',
    claimed = base .. ':claimed',
    claims = base .. ':claims',
    created = base .. ':created',
    subs = base .. ':subs',
    subexp = base .. ':subexp',
    subr = base .. ':subr',
  }
end

local K = #KEYS > 1 and keyset(string.sub(KEYS[1], 1, -3)) or nil
local INDEX = KEYS[9]
local DUE = #KEYS > 1 and KEYS[10] or KEYS[1]
local DELIVERY_SEQ = KEYS[11]

local function mkey(Q, id) return Q.base .. ':m:' .. id end
local function ckey(Q, cid) return Q.base .. ':c:' .. cid end
local function cmkey(Q, cid) return Q.base .. ':cm:' .. cid end

-- A stored message, or nil. Fields: k marker, t ttl, c created, e expires, v visible at, b body (JSON text,
-- never decoded here), p producer client id, l claim id ('' when none), x claim expires, n claim count.
local function load(Q, id)
  local r = redis.call('HMGET', mkey(Q, id), 'k', 't', 'c', 'e', 'v', 'b', 'p', 'l', 'x', 'n')
  if not r[1] then return nil end
  return {
    id = id, k = tonumber(r[1]), t = tonumber(r[2]), c = tonumber(r[3]), e = tonumber(r[4]),
    v = tonumber(r[5]), b = r[6], p = r[7], l = r[8], x = tonumber(r[9]), n = tonumber(r[10]),
  }
end

local function isClaimed(m, now) return m.l ~= '' and m.x > now end

-- The reply shape records.ts decodes; an expired claim reads as none.
local function reply(m, now)
  if isClaimed(m, now) then
    return { m.id, m.k, m.t, m.c, m.e, m.v, m.b, m.p, m.l, m.x, m.n }
  end
  return { m.id, m.k, m.t, m.c, m.e, m.v, m.b, m.p, '', 0, m.n }
end

-- Writes a new message record and indexes it (in `delayed` until it is visible, else in `avail`).
local function store(Q, m, now)
  redis.call('HSET', mkey(Q, m.id), 'k', m.k, 't', m.t, 'c', m.c, 'e', m.e, 'v', m.v, 'b', m.b, 'p', m.p,
    'l', '', 'x', 0, 'n', m.n)
  redis.call('ZADD', Q.msgs, m.k, m.id)
  redis.call('ZADD', Q.exp, m.e, m.id)
  redis.call('ZADD', Q.created, m.c, m.id)
  if m.v > now then
    redis.call('ZADD', Q.delayed, m.v, m.id)
  else
    redis.call('ZADD', Q.avail, m.k, m.id)
  end
end

-- Forgets a message id in every index (its record may already be gone).
local function unindex(Q, id)
  redis.call('ZREM', Q.msgs, id)
  redis.call('ZREM', Q.avail, id)
  redis.call('ZREM', Q.delayed, id)
  redis.call('ZREM', Q.exp, id)
  redis.call('ZREM', Q.claimed, id)
  redis.call('ZREM', Q.created, id)
end

-- Deletes a message: its record, its index entries, its place in the claim that holds it.
local function remove(Q, m)
  redis.call('DEL', mkey(Q, m.id))
  unindex(Q, m.id)
  if m.l ~= '' then redis.call('ZREM', cmkey(Q, m.l), m.id) end
end

-- Creates the queue with empty metadata if it does not exist (and lists it in the index).
local function ensureQueue(Q, member)
  if redis.call('HSETNX', Q.q, 'meta', '{}') == 1 then
    redis.call('ZADD', INDEX, 0, member)
    return true
  end
  return false
end

-- Claims that have ended: their messages go back to `avail` (or away if they expired too), the claims go.
-- Every claimed message is in `claimed` scored by its claim's end, so this needs no per-claim lists.
-- Returns how many expired messages it deleted.
local function freeEndedClaims(Q, now)
  local removed = 0
  local ids = redis.call('ZRANGEBYSCORE', Q.claimed, '-inf', now)
  for _, id in ipairs(ids) do
    local m = load(Q, id)
    if not m then
      redis.call('ZREM', Q.claimed, id)
    elseif m.x <= now then
      redis.call('ZREM', Q.claimed, id)
      if m.e <= now then
        remove(Q, m)
        removed = removed + 1
      else
        redis.call('HSET', mkey(Q, id), 'l', '', 'x', 0)
        redis.call('ZADD', Q.avail, m.k, id)
      end
    end
  end
  local cids = redis.call('ZRANGEBYSCORE', Q.claims, '-inf', now)
  for _, cid in ipairs(cids) do
    redis.call('DEL', ckey(Q, cid), cmkey(Q, cid))
    redis.call('ZREM', Q.claims, cid)
  end
  return removed
end

-- Delayed messages that are due become available.
local function releaseDelayed(Q, now)
  local ids = redis.call('ZRANGEBYSCORE', Q.delayed, '-inf', now)
  for _, id in ipairs(ids) do
    redis.call('ZREM', Q.delayed, id)
    local marker = redis.call('ZSCORE', Q.msgs, id)
    if marker then redis.call('ZADD', Q.avail, marker, id) end
  end
end

-- Deletes up to `limit` expired messages; returns how many went.
local function removeExpired(Q, now, limit)
  local ids = redis.call('ZRANGEBYSCORE', Q.exp, '-inf', now, 'LIMIT', 0, limit)
  for _, id in ipairs(ids) do
    local m = load(Q, id)
    if m then remove(Q, m) else unindex(Q, id) end
  end
  return #ids
end

-- Takes the next available message for a claim or pop: live, visible, not claimed; nil when none is left.
-- Each id read leaves `avail`, so the walk always advances; expired ones are deleted on the way.
local function nextAvailable(Q, now)
  while true do
    local ids = redis.call('ZRANGE', Q.avail, 0, 0)
    if #ids == 0 then return nil end
    local id = ids[1]
    redis.call('ZREM', Q.avail, id)
    local m = load(Q, id)
    if not m then
      unindex(Q, id)
    elseif m.e <= now then
      remove(Q, m)
    elseif m.v > now then
      redis.call('ZADD', Q.delayed, m.v, id)
    elseif not isClaimed(m, now) then
      return m
    end
  end
end
