#!/usr/bin/env bash
# Start-up time and per-request latency of the seed request through the real HTTP stack, on 127.0.0.1 only.
#
#   ./mvnw -q package -DskipTests && tools/bench/http-latency.sh [seconds-per-run]
#
# Needs wrk (Debian: apt-get install wrk). Every run is bounded in time; the service is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT=${PORT:-18080}
SECONDS_PER_RUN=${1:-15}
JAR=target/lstm-serve.jar
[ -f "$JAR" ] || { echo "build first: ./mvnw -q package -DskipTests" >&2; exit 1; }
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }

start=$(date +%s%N)
java --add-modules jdk.incubator.vector -jar "$JAR" --server.address=127.0.0.1 --server.port="$PORT" > /tmp/lstm-serve-bench.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
until curl -fsS -o /dev/null "http://127.0.0.1:$PORT/parity" 2>/dev/null; do
  kill -0 $pid 2>/dev/null || { cat /tmp/lstm-serve-bench.log >&2; exit 1; }
  sleep 0.05
done
ready=$(date +%s%N)
echo "start-up: process start -> first GET /parity 200: $(( (ready - start) / 1000000 )) ms"
grep -o 'Started LstmServeApplication in [0-9.]* seconds' /tmp/lstm-serve-bench.log || true

URL="http://127.0.0.1:$PORT/lstm/forward"
BODY='{"tokens": [[7, 8, 0, 5], [6, 1, 3, 8], [2, 4, 5, 1]], "initial_state": {"h": [[-0.7565803, -0.06854702]], "c": [[0.9029392, -0.12441138]]}}'
curl -fsS -o /dev/null -H 'Content-Type: application/json' -d "$BODY" "$URL" || { echo "the seed request failed" >&2; exit 1; }
echo "warm-up: ${SECONDS_PER_RUN}s"
wrk -t1 -c1 -d"${SECONDS_PER_RUN}s" -s tools/bench/seed-request.lua "$URL" > /dev/null
for connections in 1 4; do
  echo; echo "== POST /lstm/forward (seed request), $connections connection(s), ${SECONDS_PER_RUN}s"
  wrk -t1 -c"$connections" -d"${SECONDS_PER_RUN}s" --latency -s tools/bench/seed-request.lua "$URL" | tee /tmp/wrk.out
  if grep -q "Non-2xx" /tmp/wrk.out; then echo "FAILED: some requests were not answered 200" >&2; exit 1; fi
done
