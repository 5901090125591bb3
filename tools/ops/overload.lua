-- wrk script for tools/ops/overload.sh: one heavy request (the body file given after --), checking every 200's body
-- against the expected bytes and every 503's Retry-After.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "rb"))
  wrk.body = file:read("*a")
  file:close()
  file = assert(io.open(args[2], "rb"))
  expected = file:read("*a")
  file:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

ok, wrong, overloaded, no_retry_after, other = 0, 0, 0, 0, 0
function response(status, headers, body)
  if status == 200 then
    if body == expected then ok = ok + 1 else wrong = wrong + 1 end
  elseif status == 503 then
    overloaded = overloaded + 1
    if headers["Retry-After"] == nil then no_retry_after = no_retry_after + 1 end
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local t = {ok = 0, wrong = 0, overloaded = 0, no_retry_after = 0, other = 0}
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + thread:get(k) end
  end
  io.write(string.format("200 with the expected bytes: %d, 200 with other bytes: %d, 503: %d (without Retry-After:"
      .. " %d), other: %d, socket errors: %d\n", t.ok, t.wrong, t.overloaded, t.no_retry_after, t.other,
      summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("latency of all answers: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
      latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
