-- A page of live messages after a marker, in marker order, filtered by echo, claimed and delayed (read only).
-- ARGV: now, marker ('' for the start), limit, echo (1/0), include claimed (1/0), include delayed (1/0), client id.
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[3])
local echo, withClaimed, withDelayed = ARGV[4] == '1', ARGV[5] == '1', ARGV[6] == '1'
local client = ARGV[7]
local min = ARGV[2] == '' and '-inf' or '(' .. ARGV[2]
local out = {}
local chunk = math.max(limit * 2, 32)
while #out < limit do
  local ids = redis.call('ZRANGEBYSCORE', K.msgs, min, '+inf', 'WITHSCORES', 'LIMIT', 0, chunk)
  if #ids == 0 then break end
  for i = 1, #ids, 2 do
    local m = load(K, ids[i])
    if m and m.e > now and (echo or m.p ~= client) and (withClaimed or not isClaimed(m, now))
        and (withDelayed or m.v <= now) then
      out[#out + 1] = reply(m, now)
      if #out >= limit then break end
    end
  end
  min = '(' .. ids[#ids]
end
return out
