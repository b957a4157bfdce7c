-- The background collection of one queue: ends expired claims and deletes up to ARGV[2] expired messages.
-- Returns how many messages were deleted. ARGV: now, limit.
local now = tonumber(ARGV[1])
local removed = freeEndedClaims(K, now)
return removed + removeExpired(K, now, tonumber(ARGV[2]))
