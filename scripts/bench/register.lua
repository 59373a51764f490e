-- wrk script: durable registrations with unique e-mail addresses, spread round-robin over the given event ids.
-- usage: wrk ... -s register.lua URL -- "id1 id2 ..." [prefix]
local threads = {}
local n = 0
function setup(thread)
  n = n + 1
  thread:set("tid", tostring(n) .. "-" .. tostring(os.time()))
  table.insert(threads, thread)
end

function init(args)
  -- args[2]: a prefix for the e-mail addresses, for several wrk processes started in the same second.
  if args[2] then tid = args[2] .. "-" .. tid end
  events = {}
  for id in string.gmatch(args[1] or "", "%d+") do table.insert(events, id) end
  counter = 0
end

function request()
  counter = counter + 1
  local ev = events[(counter % #events) + 1]
  local body = string.format('{"name":"Bench Person %d","email":"bench-%s-%d@example.org","organisation":"Bench AB",' ..
    '"organisation_type":"private","municipality":"Solna","consent":true}', counter, tid, counter)
  return wrk.format("POST", "/api/v1/events/" .. ev .. "/registrations", {["Content-Type"] = "application/json"}, body)
end

dofile(string.gsub(debug.getinfo(1, "S").source:sub(2), "register.lua$", "report.lua"))
