-- A coordinator creates a family of two (a parent and a child) with an Idempotency-Key.
dofile("bench/http/common.lua")
local body = '{"address_line1":"1 Benchmark Road","town":"Rotherham","postcode":"S60 1AE",'
  .. '"housing_tenure":"private_rent","bedrooms":3,"members":['
  .. '{"member_role":"adult","relationship":"parent","given_name":"Ann","family_name":"Bench",'
  .. '"date_of_birth":"1985-03-02","gender":"female"},'
  .. '{"member_role":"child","relationship":"child","given_name":"Bo","family_name":"Bench",'
  .. '"date_of_birth":"2010-05-06","gender":"male"}]}'

function request()
  return wrk.format("POST", "/api/v1/families", headers(true), body)
end
