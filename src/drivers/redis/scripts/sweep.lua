-- The background collection of one queue: ends expired claims, deletes up to ARGV[2] expired messages and forgets
-- up to ARGV[2] expired subscriptions. Returns how many messages were deleted. ARGV: now, limit.
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local removed = freeEndedClaims(K, now)
forgetExpiredSubscriptions(K, now, limit)
return removed + removeExpired(K, now, limit)
