-- The live messages among the given ids, in the order asked; missing or expired ones are left out (read only).
-- ARGV: now, id...
local now = tonumber(ARGV[1])
local out = {}
for i = 2, #ARGV do
  local m = load(K, ARGV[i])
  if m and m.e > now then out[#out + 1] = reply(m, now) end
end
return out
