-- Leases up to `limit` due deliveries of every queue of the store, oldest due first: each one's due time moves to
-- now + lease in the same step, so concurrent takers never get the same delivery. KEYS: the due index alone.
-- ARGV: now, limit, lease ms. Returns { { id, leased until, { field, value, ... } }, ... }.
local now, limit, lease = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local members = redis.call('ZRANGEBYSCORE', DUE, '-inf', string.format('%d', now), 'LIMIT', 0, limit)
local out = {}
for _, member in ipairs(members) do
  local space = string.find(member, ' ', 1, true)
  local id, base = string.sub(member, 1, space - 1), string.sub(member, space + 1)
  local fields = redis.call('HGETALL', base .. ':d:' .. id)
  if #fields == 0 then
    redis.call('ZREM', DUE, member) -- its record went some other way: nothing to deliver
  else
    redis.call('ZADD', DUE, now + lease, member)
    out[#out + 1] = { id, now + lease, fields }
  end
end
return out
