-- wrk script: check-ins of unique ticket codes. Reads "event_id code" lines from the file given; each wrk thread
-- takes every Nth line, so no code is scanned twice while the list lasts.
-- usage: wrk ... -s checkin.lua URL -- tickets.txt TOKEN THREADS
local n = 0
function setup(thread)
  thread:set("index", n)
  n = n + 1
end

function init(args)
  tickets = {}
  local stride = tonumber(args[3])
  local i = 0
  for line in io.lines(args[1]) do
    if i % stride == index then table.insert(tickets, line) end
    i = i + 1
  end
  token = args[2]
  counter = 0
end

function request()
  counter = counter + 1
  local line = tickets[((counter - 1) % #tickets) + 1]
  local ev, code = line:match("(%d+) (%w+)")
  local body = string.format('{"ticket_code":"%s","scan_id":"bench-%d-%d"}', code, index, counter)
  return wrk.format("POST", "/api/v1/events/" .. ev .. "/checkins",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end

dofile(string.gsub(debug.getinfo(1, "S").source:sub(2), "checkin.lua$", "report.lua"))
