-- Deletes the given messages whether claimed or not; missing ids are ignored. ARGV: id...
for i = 1, #ARGV do
  local m = load(K, ARGV[i])
  if m then remove(K, m) else unindex(K, ARGV[i]) end
end
return #ARGV
