-- Replaces a queue's metadata and its dead-letter fields together; 0 when the queue does not exist, else 1.
-- ARGV: metadata JSON, then dlb, dli, dlm, dlt ('' when the new metadata sets no dead-letter policy).
if redis.call('EXISTS', K.q) == 0 then return 0 end
redis.call('HSET', K.q, 'meta', ARGV[1])
if ARGV[2] ~= '' then
  redis.call('HSET', K.q, 'dlb', ARGV[2], 'dli', ARGV[3], 'dlm', ARGV[4], 'dlt', ARGV[5])
else
  redis.call('HDEL', K.q, 'dlb', 'dli', 'dlm', 'dlt')
end
return 1
