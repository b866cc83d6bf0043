-- A provider posts a session update on one of its open referrals, each with its own
-- Idempotency-Key (required on this operation).
dofile("bench/http/common.lua")
local referrals = lines("BENCH_REFERRALS")
local body = '{"kind":"session","occurred_on":"2015-06-01","session_held":true,"family_engaged":true}'

function request()
  return wrk.format("POST", "/api/v1/referrals/" .. pick(referrals) .. "/updates", headers(true), body)
end
