-- Creates a queue with its metadata and lists it in the index; 1 if created, 0 if it existed (left unchanged).
-- ARGV: index member, metadata JSON, then the dead-letter fields dlb, dli, dlm, dlt ('' when the queue has none).
if redis.call('EXISTS', K.q) == 1 then return 0 end
redis.call('HSET', K.q, 'meta', ARGV[2], 'seq', 0)
if ARGV[3] ~= '' then
  redis.call('HSET', K.q, 'dlb', ARGV[3], 'dli', ARGV[4], 'dlm', ARGV[5], 'dlt', ARGV[6])
end
redis.call('ZADD', INDEX, 0, ARGV[1])
return 1
