-- Records one delivery made outside a post (a confirmation request), due now.
-- ARGV: now, nonce, project, queue, subscription id, subscriber, options JSON, kind, payload JSON. Returns its id.
return recordDelivery(K, {
  project = ARGV[3], queue = ARGV[4], sid = ARGV[5], subscriber = ARGV[6], options = ARGV[7], kind = ARGV[8],
  payload = ARGV[9],
}, tonumber(ARGV[1]), ARGV[2])
