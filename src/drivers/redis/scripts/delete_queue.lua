-- Deletes every message and claim of a queue; with ARGV[2] == 'queue' also the queue itself, its index entry and
-- its subscriptions (their deliveries already recorded stay, and are still made).
-- O(messages) in one step, as Zaqar's own delete; UNLINK frees the memory off the main thread.
-- ARGV: index member, 'queue' or 'messages'.
local function unlinkAll(ids, keyOf)
  for i = 1, #ids, 500 do
    local batch = {}
    for j = i, math.min(i + 499, #ids) do
      for _, key in ipairs(keyOf(ids[j])) do batch[#batch + 1] = key end
    end
    redis.call('UNLINK', unpack(batch))
  end
end
unlinkAll(redis.call('ZRANGE', K.msgs, 0, -1), function(id) return { mkey(K, id) } end)
unlinkAll(redis.call('ZRANGE', K.claims, 0, -1), function(cid) return { ckey(K, cid), cmkey(K, cid) } end)
redis.call('UNLINK', K.msgs, K.avail, K.delayed, K.exp, K.claimed, K.claims, K.created)
if ARGV[2] == 'queue' then
  redis.call('UNLINK', K.q)
  redis.call('ZREM', INDEX, ARGV[1])
  for _, sid in ipairs(redis.call('ZRANGE', K.subs, 0, -1)) do forgetSubscription(K, sid) end
  redis.call('UNLINK', K.subs, K.subexp, K.subr)
end
return 1
