-- wrk script for tools/ops/soak.sh: a mix of what clients send, weighted, with a status count per thread.
--   seed tokens (B 3, T 4) 40 | text 15 | inputs B 4 T 32 E 2 15 | tokens B 64 T 64 10 | tokens B 256 T 128 4
--   token outside the vocabulary (400) 5 | malformed JSON (400) 3 | 1100 windows (413) 2 | GET /parity 5
--   GET /actuator/prometheus 1
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local function tokens(b, t)
  local rows = {}
  for i = 1, b do
    local row = {}
    for j = 1, t do row[j] = tostring((i * 7 + j * 3) % 9) end
    rows[i] = "[" .. table.concat(row, ",") .. "]"
  end
  return "[" .. table.concat(rows, ",") .. "]"
end

local function inputs(b, t)
  local rows = {}
  for i = 1, b do
    local steps = {}
    for j = 1, t do steps[j] = string.format("[%.4f,%.4f]", ((i + j) % 17) / 17 - 0.5, ((i * j) % 13) / 13 - 0.5) end
    rows[i] = "[" .. table.concat(steps, ",") .. "]"
  end
  return "[" .. table.concat(rows, ",") .. "]"
end

local json = {["Content-Type"] = "application/json"}
local mix = {}
local function add(weight, method, path, body)
  local request = wrk.format(method, path, method == "POST" and json or nil, body)
  for _ = 1, weight do table.insert(mix, request) end
end

-- Built in init(), where wrk.headers already has the Host header that wrk.format adds.
function init(args)
  add(40, "POST", "/lstm/forward", '{"tokens": [[7, 8, 0, 5], [6, 1, 3, 8], [2, 4, 5, 1]], '
      .. '"initial_state": {"h": [[-0.7565803, -0.06854702]], "c": [[-0.7565803, -0.06854702]]}}')
  add(15, "POST", "/lstm/forward", '{"text": ["the word <_unk> is", "not a common word", "but flower is a"], '
      .. '"return_sequences": false}')
  add(15, "POST", "/lstm/forward", '{"inputs": ' .. inputs(4, 32) .. '}')
  add(10, "POST", "/lstm/forward", '{"tokens": ' .. tokens(64, 64) .. ', "return_state": false}')
  add(4, "POST", "/lstm/forward", '{"tokens": ' .. tokens(256, 128) .. ', "return_sequences": false}')
  add(5, "POST", "/lstm/forward", '{"tokens": [[7, 8, 0, 50]]}')
  add(3, "POST", "/lstm/forward", '{"tokens": [[7, 8, 0, 5]')
  add(2, "POST", "/lstm/forward", '{"tokens": ' .. tokens(1100, 1) .. '}')
  add(5, "GET", "/parity")
  add(1, "GET", "/actuator/prometheus")
end

local counter = 0
function request()
  counter = counter + 1
  return mix[(counter * 37) % #mix + 1]
end

s200, s400, s413, s503, other = 0, 0, 0, 0, 0
function response(status, headers, body)
  if status == 200 then s200 = s200 + 1
  elseif status == 400 then s400 = s400 + 1
  elseif status == 413 then s413 = s413 + 1
  elseif status == 503 then s503 = s503 + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local t = {s200 = 0, s400 = 0, s413 = 0, s503 = 0, other = 0}
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + thread:get(k) end
  end
  io.write(string.format("statuses: 200=%d 400=%d 413=%d 503=%d other=%d\n", t.s200, t.s400, t.s413, t.s503,
      t.other))
  io.write(string.format("latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", latency:percentile(50) / 1000,
      latency:percentile(99) / 1000, latency.max / 1000))
end
