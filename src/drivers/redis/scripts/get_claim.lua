-- A live claim with its live messages in marker order (read only). ARGV: now, claim id.
-- Returns {} when missing or expired, else { ttl, grace, updated, expires, { message reply... } }.
local now = tonumber(ARGV[1])
local cid = ARGV[2]
local c = redis.call('HMGET', ckey(K, cid), 't', 'g', 'u', 'e')
if not c[4] or tonumber(c[4]) <= now then return {} end
local out = {}
for _, id in ipairs(redis.call('ZRANGE', cmkey(K, cid), 0, -1)) do
  local m = load(K, id)
  if m and m.l == cid and m.e > now then out[#out + 1] = reply(m, now) end
end
return { tonumber(c[1]), tonumber(c[2]), tonumber(c[3]), tonumber(c[4]), out }
