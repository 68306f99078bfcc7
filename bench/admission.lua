-- admission.lua: wrk script for bench/admission-wrk.sh. POSTs one AdmissionReview (the file named by
-- $JSCAN_BENCH_BODY) to /validate over and over, and counts answers that are not "200 allowed".
--
-- Debian's wrk is wrk 4.x, which has no rate option (-R is wrk2's, and wrk2 is not packaged). The
-- rate is set instead with delay(): each connection waits a random time of mean
-- $JSCAN_BENCH_INTERVAL_MS (uniform on 0.5x..1.5x, so connections do not march in step) before
-- each request, so C connections offer about C * 1000 / interval requests a second. This is a
-- closed loop: a slow answer delays the next request of its connection instead of piling up
-- (coordinated omission), so the achieved rate is printed next to the target and a run that
-- fell short says so. Interval 0 means no pacing (the maximum rate).
local body_file = os.getenv("JSCAN_BENCH_BODY")
local interval = tonumber(os.getenv("JSCAN_BENCH_INTERVAL_MS") or "0")

local f = assert(io.open(body_file, "rb"))
local review = f:read("*a")
f:close()

wrk.method = "POST"
wrk.path = "/validate"
wrk.body = review
wrk.headers["Content-Type"] = "application/json"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function delay()
  if interval <= 0 then
    return 0
  end
  return interval * (0.5 + math.random())
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"allowed":true', 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local not_allowed = 0
  for _, t in ipairs(threads) do
    not_allowed = not_allowed + t:get("bad")
  end
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("RESULT requests=%d seconds=%.1f rps=%.1f", summary.requests, seconds, summary.requests / seconds))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format(" p%s_ms=%.3f", tostring(p), latency:percentile(p) / 1000))
  end
  io.write(string.format(" max_ms=%.3f mean_ms=%.3f", latency.max / 1000, latency.mean / 1000))
  io.write(string.format(" socket_errors=%d http_errors=%d not_allowed=%d\n",
    e.connect + e.read + e.write + e.timeout, e.status, not_allowed))
end
