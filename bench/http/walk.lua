-- A filtered, paginated list walked 5 pages deep: families with a member of a given surname,
-- 50 a page, each page asked with the cursor the previous one returned. wrk runs one connection
-- per thread for this script, so a thread's cursor belongs to its own connection.
dofile("bench/http/common.lua")
local names = { "Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Thomas", "Roberts", "Khan", "Walker" }
local name, cursor, page = nil, nil, 0

function request()
  if page == 0 then
    name, cursor = pick(names), nil
  end
  local path = "/api/v1/families?q=" .. name .. "&limit=50"
  if cursor then
    path = path .. "&cursor=" .. cursor
  end
  return wrk.format("GET", path, headers(false))
end

function response(status, hdrs, body)
  cursor = body:match('"next_cursor":"([^"]+)"')
  page = page + 1
  if page == 5 or not cursor then
    page = 0
  end
end
