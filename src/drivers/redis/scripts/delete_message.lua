-- Deletes one message, checking its claim: 0 deleted or missing, 1 claimed by another claim (or claimed and
-- no claim named), 2 a claim was named but the message is free.
-- ARGV: now, id, claim id ('' when none).
local now = tonumber(ARGV[1])
local m = load(K, ARGV[2])
if not m or m.e <= now then return 0 end
local claimed = isClaimed(m, now)
local claim = ARGV[3]
if claim == '' then
  if claimed then return 1 end
elseif not claimed then
  return 2
elseif m.l ~= claim then
  return 1
end
remove(K, m)
return 0
