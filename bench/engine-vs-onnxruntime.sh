#!/usr/bin/env bash
# Issue 7's benchmark: lstm-serve's LSTM engine against ONNX Runtime's LSTM operator (intra-op threads = available
# cores) and the seed's per-step ND4J loop, at the shapes S1-S4 (and the seed-toy shape), same weights and inputs,
# ours and ORT measured interleaved in one JVM, every engine checked against a float64 reference first.
#
#   bench/engine-vs-onnxruntime.sh          # from the project root; no arguments; ~3 min on a quiet 2-core machine
#
# Prints one line per shape,
#   BENCH S3 B=32 T=64 E=256 H=512 ours_ms=<median> ort_ms=<median> naive_ms=<median> max_abs_diff=<ours vs float64>
# then details (quartiles, GFLOP/s, ratios, the kernels that ran). The whole run's output is kept in
# target/bench/engine-vs-onnxruntime.log. BENCH_SECONDS (default 12) sets the measuring time per shape.
# Code: src/test/java/dev/lstmserve/bench/EngineVsOrt.java; figures and method: docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/bench
log=target/bench/engine-vs-onnxruntime.log
echo "building and running (log: $log); load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
if ! ./mvnw -B -q -Pbench test-compile exec:exec -Dbench.main=dev.lstmserve.bench.EngineVsOrt \
    -Dbench.args="S1 S2 S3 S4 seed-toy" \
    -Dbench.jvmArgs="--add-modules jdk.incubator.vector -Xms2g -Xmx6g -Dbench.seconds=${BENCH_SECONDS:-12}" \
    > "$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "benchmark failed; full output in $log" >&2
  exit 1
fi
grep -E '^BENCH S[1-4] ' "$log"
echo
grep -E '^  seed-toy ' "$log" || true
sed -n '/^Details/,$p' "$log"
grep -m1 -o 'LSTM engine: .*' "$log" || true
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
