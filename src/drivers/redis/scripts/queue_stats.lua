-- Message counts and the oldest and newest live messages by creation time (read only). ARGV: now.
-- Returns { claimed, total, oldest reply or {}, newest reply or {} }. Among messages created in the same
-- millisecond the oldest is the one with the lowest marker and the newest the one with the highest, as in the
-- memory driver (a dead-lettered message keeps its created time, so creation and marker order can differ).
local now = tonumber(ARGV[1])
local after = '(' .. ARGV[1]
local total = redis.call('ZCOUNT', K.exp, after, '+inf')
local claimed = redis.call('ZCOUNT', K.claimed, after, '+inf')
local function extreme(command, better)
  local best, bestAt
  local from = 0
  while true do
    local page = redis.call(command, K.created, from, from + 31, 'WITHSCORES')
    if #page == 0 then break end
    for i = 1, #page, 2 do
      local at = tonumber(page[i + 1])
      if best and at ~= bestAt then return reply(best, now) end
      local m = load(K, page[i])
      if m and m.e > now and (not best or better(m, best)) then best, bestAt = m, at end
    end
    from = from + 32
  end
  if best then return reply(best, now) end
  return {}
end
if total == 0 then return { claimed, total, {}, {} } end
local oldest = extreme('ZRANGE', function(a, b) return a.k < b.k end)
local newest = extreme('ZREVRANGE', function(a, b) return a.k > b.k end)
return { claimed, total, oldest, newest }
