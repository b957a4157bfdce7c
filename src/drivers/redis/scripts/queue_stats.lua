-- Message counts and the oldest and newest live messages (read only). ARGV: now.
-- Returns { claimed, total, oldest reply or {}, newest reply or {} }.
local now = tonumber(ARGV[1])
local after = '(' .. ARGV[1]
local total = redis.call('ZCOUNT', K.exp, after, '+inf')
local claimed = redis.call('ZCOUNT', K.claimed, after, '+inf')
local function firstLive(command)
  local from = 0
  while true do
    local ids = redis.call(command, K.msgs, from, from + 31)
    if #ids == 0 then return {} end
    for _, id in ipairs(ids) do
      local m = load(K, id)
      if m and m.e > now then return reply(m, now) end
    end
    from = from + 32
  end
end
if total == 0 then return { claimed, total, {}, {} } end
return { claimed, total, firstLive('ZRANGE'), firstLive('ZREVRANGE') }
