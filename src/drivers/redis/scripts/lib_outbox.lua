-- Shared helpers of subscriptions and the delivery outbox, prepended (after lib.lua) to every qgate script.
--
-- Per queue (base B = `qg:{p/q}`, the queue's slot): B:subs zset of subscription ids (scores 0, listed by id),
-- B:subexp zset id → expires, B:subr hash subscriber → id of its live subscription, B:s:<sid> one subscription,
-- B:sd:<sid> set of its pending delivery ids, B:sf:<sid> list of its failed deliveries (newest first, capped),
-- B:d:<id> one pending delivery. Store-wide: DUE (qg:deliveries:due), member `<id> <B>` scored by due time, and
-- DELIVERY_SEQ (qg:deliveries:seq), the last delivery sequence number given.

local function skey(Q, sid) return Q.base .. ':s:' .. sid end
local function sdkey(Q, sid) return Q.base .. ':sd:' .. sid end
local function sfkey(Q, sid) return Q.base .. ':sf:' .. sid end
local function dkey(Q, id) return Q.base .. ':d:' .. id end
local function dueMember(Q, id) return id .. ' ' .. Q.base end

-- Whether the subscription exists and has not expired (expiry lives in B:subexp, as in its record's `e`).
local function isLive(Q, sid, now)
  local e = redis.call('ZSCORE', Q.subexp, sid)
  return e ~= false and tonumber(e) > now
end

-- Delivery ids sort in the order they were recorded (the store-wide sequence, zero-padded), so deliveries due at
-- the same time are taken oldest first, as the memory driver does; the nonce (a random UUID per call, from ARGV)
-- keeps them unique even if the sequence were ever lost.
local function newDeliveryId(nonce)
  return string.format('%016d-', redis.call('INCR', DELIVERY_SEQ)) .. nonce
end

-- Records one pending delivery, due now. Fields of B:d:<id>: P project, Q queue, s subscription id, u subscriber,
-- o options JSON, k kind, y payload JSON (text, never decoded here), a failed attempts, c created, r last error.
local function recordDelivery(Q, d, now, nonce)
  local id = newDeliveryId(nonce)
  redis.call('HSET', dkey(Q, id), 'P', d.project, 'Q', d.queue, 's', d.sid, 'u', d.subscriber, 'o', d.options,
    'k', d.kind, 'y', d.payload, 'a', 0, 'c', now)
  redis.call('SADD', sdkey(Q, d.sid), id)
  redis.call('ZADD', DUE, now, dueMember(Q, id))
  return id
end

-- The post's fan-out: one delivery per (message, live confirmed subscription), subscription by subscription.
-- messages: { b = body JSON text, t = ttl text }. The payload is Zaqar's notification document, spliced from the
-- body's own JSON text so it reaches the subscriber exactly as posted (cjson would turn {} into []).
local function fanOut(Q, project, queue, messages, now, nonce)
  local sids = redis.call('ZRANGEBYSCORE', Q.subexp, '(' .. string.format('%d', now), '+inf')
  if #sids == 0 then return end
  local tail = ',"queue_name":' .. cjson.encode(queue) .. ',"Message_Type":"Notification"}'
  for _, sid in ipairs(sids) do
    local s = redis.call('HMGET', skey(Q, sid), 'u', 'o', 'f')
    if s[3] == '1' then
      for _, m in ipairs(messages) do
        recordDelivery(Q, {
          project = project, queue = queue, sid = sid, subscriber = s[1], options = s[2], kind = 'notification',
          payload = '{"body":' .. m.b .. ',"ttl":' .. m.t .. tail,
        }, now, nonce)
      end
    end
  end
end

-- Forgets a subscription: its record, its index entries, its failed list. Its pending deliveries stay: they were
-- recorded while it was live and are still made (they leave as they are settled).
local function forgetSubscription(Q, sid)
  local subscriber = redis.call('HGET', skey(Q, sid), 'u')
  if subscriber and redis.call('HGET', Q.subr, subscriber) == sid then redis.call('HDEL', Q.subr, subscriber) end
  redis.call('DEL', skey(Q, sid), sfkey(Q, sid))
  redis.call('ZREM', Q.subs, sid)
  redis.call('ZREM', Q.subexp, sid)
end

-- Deletes a subscription with its pending and failed deliveries; a missing one is fine.
local function dropSubscription(Q, sid)
  forgetSubscription(Q, sid)
  for _, id in ipairs(redis.call('SMEMBERS', sdkey(Q, sid))) do
    redis.call('DEL', dkey(Q, id))
    redis.call('ZREM', DUE, dueMember(Q, id))
  end
  redis.call('DEL', sdkey(Q, sid))
end

-- Forgets up to `limit` expired subscriptions (the background sweep); returns how many went.
local function forgetExpiredSubscriptions(Q, now, limit)
  local sids = redis.call('ZRANGEBYSCORE', Q.subexp, '-inf', string.format('%d', now), 'LIMIT', 0, limit)
  for _, sid in ipairs(sids) do forgetSubscription(Q, sid) end
  return #sids
end
