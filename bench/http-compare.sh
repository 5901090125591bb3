#!/usr/bin/env bash
# Several servers side by side, measured in turns (A, B, C, A, B, C, ...) so that a busy, shared machine disturbs them
# alike: requests/s, p50 and the server's CPU time per request for one request body at one concurrency.
#
#   bench/http-compare.sh echo=bench/echo-app/target/echo-app.jar before=/tmp/lstm-serve-c4a973e.jar \
#       after=target/lstm-serve.jar
#   BODY=target/http-load/b1-request.json C=64 bench/http-compare.sh \
#       "alone=target/lstm-serve.jar:--lstm.model.path=target/http-load/s2-model.json --lstm.batching.enabled=false" \
#       "batched=target/lstm-serve.jar:--lstm.model.path=target/http-load/s2-model.json --lstm.batching.enabled=true"
#
# Each argument is NAME=JAR[:ARGS]; a NAME of "echo" is the echo app (POST /echo), any other is lstm-serve
# (POST /lstm/forward, with lstm.limits.max-wait=60s so that a busy slot queues rather than refuses). BODY (default:
# the seed request, written by bench/http-load.sh), C (concurrency, 16), D (seconds per run, 10), W (warm-up seconds
# per server, 40: the JIT needs it on a busy machine), R (rounds, 5). Every server listens on 127.0.0.1 and is stopped
# at the end; every run is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
BODY=${BODY:-target/http-load/seed-request.json}
C=${C:-16}
D=${D:-10}
W=${W:-40}
R=${R:-5}
[ -f "$BODY" ] || java bench/HttpLoadFixtures.java target/http-load
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

names=()
pids=()
urls=()
port=${PORT:-18300}
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
for spec in "$@"; do
  name=${spec%%=*}
  rest=${spec#*=}
  jar=${rest%%:*}
  args=""
  [ "$jar" != "$rest" ] && args=${rest#*:}
  if [ "$name" = echo ]; then
    url=http://127.0.0.1:$port/echo
  else
    url=http://127.0.0.1:$port/lstm/forward
    args="--lstm.limits.max-wait=60s $args"
  fi
  # shellcheck disable=SC2086
  java -jar "$jar" --server.address=127.0.0.1 --server.port=$port $args > "target/http-compare-$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
  urls+=("$url")
  port=$((port + 1))
done
for i in "${!names[@]}"; do
  deadline=$((SECONDS + 180))
  until curl -fsS -o /dev/null -H 'Content-Type: application/json' --data-binary @"$BODY" "${urls[$i]}" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "FAILED: ${names[$i]} did not start" >&2; exit 1; }
    sleep 0.3
  done
done
for i in "${!names[@]}"; do
  BODY=$BODY wrk -t2 -c"$C" -d"${W}s" -s bench/post-json.lua "${urls[$i]}" > /dev/null
done
echo "uptime: $(uptime); body $BODY, concurrency $C, ${D}s per run"
for round in $(seq "$R"); do
  for i in "${!names[@]}"; do
    pid=${pids[$i]}
    before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    out=$(BODY=$BODY wrk -t2 -c"$C" -d"${D}s" --latency -s bench/post-json.lua "${urls[$i]}")
    after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    requests=$(echo "$out" | awk '/requests in/ {print $1}')
    echo "round=$round ${names[$i]} $(echo "$out" | awk '/^Requests\/sec/ {printf "req_s=%.0f", $2}')" \
      "p50=$(echo "$out" | awk '$1 == "50%" {print $2}') p99=$(echo "$out" | awk '$1 == "99%" {print $2}')" \
      "server_cpu_us=$(( (after - before) * 1000000 / $(getconf CLK_TCK) / requests ))" \
      "non_2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')" "load=$(cut -d' ' -f1 /proc/loadavg)"
  done
done
