#!/usr/bin/env bash
# Requests per second and latency of lstm-serve through the real HTTP stack on 127.0.0.1, beside the floor: a bare
# Spring Boot webmvc app (bench/echo-app) that parses the same JSON and writes it back. Also start-up time to ready and
# resident memory after start and under load. Results: docs/PERFORMANCE.md ("Through HTTP").
#
#   bench/http-load.sh                       # every scenario at concurrency 1, 16 and 64; 10 s per run
#   DURATION=20 CONCURRENCY="16" SCENARIOS="echo-seed seed" bench/http-load.sh
#
# Scenarios (each one server started, warmed up, measured, stopped):
#   echo-seed, echo-s2     the echo app, with the seed request and with the S2 request
#   seed                   lstm-serve, embedded seed-toy model, the seed request (3 windows of 4 tokens + state)
#   s2                     lstm-serve, an S2-sized model (E=128, H=256), {"inputs": [8][32][128]}
#   b1-batching, b1-alone  the same model, {"inputs": [1][32][128]}, with dynamic batching (lstm.batching.enabled=true) and without (the default)
#   b1-last-batching, b1-last-alone   the same request with "return_sequences": false (the answer: the last output
#                          and the state, 768 floats instead of 8 704)
#   h512-batching, h512-alone         that request on a larger model (E=128, H=512), whose forward costs more than
#                          the request's JSON
#
# Each run prints req/s, p50 and p99 (wrk), and server_cpu_us: the server process's CPU time (user + system) per
# request, which a busy machine disturbs far less than req/s.
#
# Warm-up: WARMUP seconds (default 45) of load before the runs. Both apps reach their steady state only after C2 has
# compiled their hot code, which under this load took 17-30 s after start-up here (lstm-serve's seed request ran at
# 237-567 req/s in its first second and ~14 000 from the 17th-30th; the echo app's 980 to 18 000 by the 17th): with
# 10 s, the runs measured part of the warm-up, more of it on a busier machine (docs/PERFORMANCE.md, "Warm-up").
#
# Bounded: every run lasts DURATION seconds (after a WARMUP-second run), every server listens on 127.0.0.1 only and is
# stopped at the end. Needs Java 17 and wrk (installed with apt-get when missing); builds target/lstm-serve.jar and the
# echo app when they are missing (REBUILD=1 forces both). lstm-serve runs with lstm.limits.max-wait=60s (and 64
# compute slots without batching, see LSTM_ARGS) so that concurrency 64 measures throughput rather than the 503s of
# the default bounds (LimitsAndOverloadTests covers those). The machine is shared: note `uptime` with the figures.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-45}
CONCURRENCY=${CONCURRENCY:-"1 16 64"}
ALL_SCENARIOS="echo-seed seed echo-s2 s2 b1-alone b1-batching b1-last-alone b1-last-batching h512-alone h512-batching"
SCENARIOS=${SCENARIOS:-$ALL_SCENARIOS}
for scenario in $SCENARIOS; do
  case " $ALL_SCENARIOS " in
    *" $scenario "*) ;;
    *) echo "unknown scenario $scenario (known: $ALL_SCENARIOS)" >&2; exit 2 ;;
  esac
done
PORT=${PORT:-18180}
OUT=target/http-load
JAR=${JAR:-target/lstm-serve.jar}
ECHO_JAR=bench/echo-app/target/echo-app.jar
# The engine's Vector API kernels need the incubator module (harmless where the engine does not use it).
LSTM_JAVA_OPTS=${LSTM_JAVA_OPTS:---add-modules jdk.incubator.vector}

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)"
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
if [ "${REBUILD:-0}" = 1 ] || [ ! -f "$JAR" ]; then ./mvnw -B -q package -DskipTests; fi
if [ "${REBUILD:-0}" = 1 ] || [ ! -f "$ECHO_JAR" ]; then ./mvnw -B -q -f bench/echo-app/pom.xml package; fi
mkdir -p "$OUT"
java bench/HttpLoadFixtures.java "$OUT"

server_pid=
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}
trap stop_server EXIT

# CPU time the server used so far, in clock ticks (utime + stime): per request it is a cost that, unlike req/s, other
# processes on a busy machine change little.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_mib() { awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
hwm_mib() { awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

# start NAME URL BODY JAR ARGS...: launches a server, waits until URL answers BODY with 200, prints the start-up time.
start() {
  local name=$1 url=$2 body=$3 jar=$4
  shift 4
  local start_ns
  start_ns=$(date +%s%N)
  # shellcheck disable=SC2086
  java $JAVA_OPTS_FOR -jar "$jar" --server.address=127.0.0.1 --server.port="$PORT" "$@" > "$OUT/$name.log" 2>&1 &
  server_pid=$!
  local deadline=$((SECONDS + 180))
  until curl -fsS -o /dev/null -H 'Content-Type: application/json' --data-binary @"$body" "$url" 2>/dev/null; do
    if ! kill -0 "$server_pid" 2>/dev/null || [ $SECONDS -gt $deadline ]; then
      cat "$OUT/$name.log" >&2
      echo "FAILED: $name did not start" >&2
      exit 1
    fi
    sleep 0.05
  done
  local ready_ms=$((($(date +%s%N) - start_ns) / 1000000))
  local started
  started=$(grep -o 'Started [A-Za-z]* in [0-9.]* seconds' "$OUT/$name.log" | head -1 || true)
  echo "START $name ready_ms=$ready_ms rss_mib=$(rss_mib "$server_pid") ($started)"
}

# measure NAME URL BODY: a warm-up run, then one run per concurrency.
measure() {
  local name=$1 url=$2 body=$3
  BODY=$body wrk -t2 -c16 -d"${WARMUP}s" -s bench/post-json.lua "$url" > /dev/null
  for c in $CONCURRENCY; do
    local threads=$((c < 2 ? c : 2))
    local result cpu_before cpu_after
    cpu_before=$(cpu_ticks "$server_pid")
    result=$(BODY=$body wrk -t"$threads" -c"$c" -d"${DURATION}s" --latency -s bench/post-json.lua "$url")
    cpu_after=$(cpu_ticks "$server_pid")
    local rps p50 p99 bad requests cpu_us
    rps=$(echo "$result" | awk '/^Requests\/sec/ {printf "%.0f", $2}')
    requests=$(echo "$result" | awk '/requests in/ {print $1}')
    cpu_us=$(( (cpu_after - cpu_before) * 1000000 / $(getconf CLK_TCK) / requests ))
    p50=$(echo "$result" | awk '$1 == "50%" {print $2}')
    p99=$(echo "$result" | awk '$1 == "99%" {print $2}')
    bad=$(echo "$result" | awk '/Non-2xx/ {print $5}')
    echo "HTTP $name c=$c req_s=$rps p50=$p50 p99=$p99 server_cpu_us=$cpu_us non_2xx=${bad:-0}" \
      "rss_mib=$(rss_mib "$server_pid")" \
      "load=$(cut -d' ' -f1 /proc/loadavg)"
    if [ -n "$bad" ]; then
      echo "FAILED: $name answered $bad requests with a status other than 2xx" >&2
      exit 1
    fi
  done
  echo "PEAK $name rss_mib=$(hwm_mib "$server_pid")"
}

echo "uptime: $(uptime)"
echo "java: $(java -version 2>&1 | head -1); wrk: $(wrk -v 2>&1 | head -1)"
# Throughput, not overload: requests computed alone get as many compute slots as there are connections (64), so
# none is refused early (a request that finds as many others waiting as there are slots is refused before its body is
# read, by design: LimitsAndOverloadTests). With batching, the default slots (2 x cores): requests that find them busy
# are what batches are made of.
LSTM_ARGS=(--lstm.limits.max-wait=60s --lstm.limits.max-concurrent-requests=64)
BATCHING_ARGS=(--lstm.limits.max-wait=60s)
for scenario in $SCENARIOS; do
  case $scenario in
    echo-seed | echo-s2)
      body=$OUT/seed-request.json
      [ "$scenario" = echo-s2 ] && body=$OUT/s2-request.json
      JAVA_OPTS_FOR="" start "$scenario" "http://127.0.0.1:$PORT/echo" "$body" "$ECHO_JAR"
      measure "$scenario" "http://127.0.0.1:$PORT/echo" "$body"
      ;;
    seed)
      JAVA_OPTS_FOR=$LSTM_JAVA_OPTS start seed "http://127.0.0.1:$PORT/lstm/forward" "$OUT/seed-request.json" \
        "$JAR" "${LSTM_ARGS[@]}"
      measure seed "http://127.0.0.1:$PORT/lstm/forward" "$OUT/seed-request.json"
      ;;
    s2)
      JAVA_OPTS_FOR=$LSTM_JAVA_OPTS start s2 "http://127.0.0.1:$PORT/lstm/forward" "$OUT/s2-request.json" "$JAR" \
        "${LSTM_ARGS[@]}" --lstm.model.path="$OUT/s2-model.json"
      measure s2 "http://127.0.0.1:$PORT/lstm/forward" "$OUT/s2-request.json"
      ;;
    b1-batching | b1-alone | b1-last-batching | b1-last-alone | h512-batching | h512-alone)
      enabled=true
      [ "${scenario%-alone}" != "$scenario" ] && enabled=false
      model=$OUT/s2-model.json
      request=$OUT/${scenario%-*}-request.json
      if [ "${scenario#h512}" != "$scenario" ]; then
        model=$OUT/h512-model.json
        request=$OUT/b1-last-request.json
      fi
      args=("${LSTM_ARGS[@]}")
      [ "$enabled" = true ] && args=("${BATCHING_ARGS[@]}")
      JAVA_OPTS_FOR=$LSTM_JAVA_OPTS start "$scenario" "http://127.0.0.1:$PORT/lstm/forward" "$request" \
        "$JAR" "${args[@]}" --lstm.model.path="$model" --lstm.batching.enabled=$enabled
      measure "$scenario" "http://127.0.0.1:$PORT/lstm/forward" "$request"
      ;;
    *)
      echo "unknown scenario $scenario" >&2
      exit 2
      ;;
  esac
  stop_server
done
echo "uptime: $(uptime)"
