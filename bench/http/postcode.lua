-- List families by postcode, 50 a page (the first page), a random postcode of those seeded.
dofile("bench/http/common.lua")
local postcodes = lines("BENCH_POSTCODES")

function request()
  local pc = pick(postcodes):gsub(" ", "%%20")
  return wrk.format("GET", "/api/v1/families?postcode=" .. pc .. "&limit=50", headers(false))
end
