-- Deletes subscriptions with their pending and failed deliveries; missing ones are fine.
-- ARGV: 'all' (every subscription of the queue) or 'ids' followed by the ids.
local sids = ARGV[1] == 'all' and redis.call('ZRANGE', K.subs, 0, -1) or { unpack(ARGV, 2) }
for _, sid in ipairs(sids) do dropSubscription(K, sid) end
if ARGV[1] == 'all' then redis.call('UNLINK', K.subs, K.subexp, K.subr) end
return #sids
