-- Live subscriptions of the queue by id, after the marker.
-- ARGV: now, marker ('' for the start), limit. Returns { { id, field, value, ... }, ... }.
local now, limit = tonumber(ARGV[1]), tonumber(ARGV[3])
local min = ARGV[2] == '' and '-' or '(' .. ARGV[2]
local out = {}
while #out < limit do
  local sids = redis.call('ZRANGEBYLEX', K.subs, min, '+', 'LIMIT', 0, limit)
  for _, sid in ipairs(sids) do
    if #out < limit and isLive(K, sid, now) then
      local fields = redis.call('HGETALL', skey(K, sid))
      table.insert(fields, 1, sid)
      out[#out + 1] = fields
    end
  end
  if #sids < limit then break end
  min = '(' .. sids[#sids]
end
return out
