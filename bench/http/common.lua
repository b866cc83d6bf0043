-- Shared by the wrk scripts of bench/http.sh (loaded with dofile from the project root).
-- Each thread numbers itself, seeds its own random numbers, and every request carries the
-- bearer token the harness minted. At the end wrk's summary is printed as one line for the
-- harness to parse.
local threads = 0
-- Tells this wrk process's keys from those of the warm-up run before it.
local process = tostring(os.time()) .. "-" .. tostring(math.random(1000000000))

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
  thread:set("process", process)
end

function init(args)
  math.randomseed(os.time() * 1000 + tid)
  counter = 0
end

-- The lines of the file named by an environment variable (ids, postcodes).
function lines(var)
  local t = {}
  for l in io.lines(os.getenv(var)) do
    t[#t + 1] = l
  end
  return t
end

function pick(t)
  return t[math.random(#t)]
end

-- Headers for one request: the token, and an Idempotency-Key unique to this wrk process, thread
-- and request when asked.
function headers(idempotent)
  local h = { ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN") }
  if idempotent then
    counter = counter + 1
    h["Idempotency-Key"] = process .. "-" .. tid .. "-" .. counter
    h["Content-Type"] = "application/json"
  end
  return h
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d status_errors=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
