-- wrk script: GETs of the given paths in turn (each thread starts at its own place in the list).
-- usage: wrk ... -s paths.lua URL -- "/path1 /path2 ..."
local n = 0
function setup(thread)
  n = n + 1
  thread:set("start", n * 7919)
end

function init(args)
  paths = {}
  for p in string.gmatch(args[1] or "", "%S+") do table.insert(paths, p) end
  counter = start or 0
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

dofile(string.gsub(debug.getinfo(1, "S").source:sub(2), "paths.lua$", "report.lua"))
