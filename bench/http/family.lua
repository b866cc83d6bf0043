-- GET a family with its members and relatives, a random one of the sampled ids.
dofile("bench/http/common.lua")
local ids = lines("BENCH_FAMILIES")

function request()
  return wrk.format("GET", "/api/v1/families/" .. pick(ids), headers(false))
end
