-- Removes and returns up to `limit` of the oldest free, visible messages. ARGV: now, limit.
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
freeEndedClaims(K, now)
releaseDelayed(K, now)
local out = {}
while #out < limit do
  local m = nextAvailable(K, now)
  if not m then break end
  out[#out + 1] = reply(m, now)
  remove(K, m)
end
return out
