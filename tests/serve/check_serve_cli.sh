#!/usr/bin/env bash
# fleetsim serve end to end: the JSON keys docs/results.md promises, byte-identical output for
# the same seed, a trace, and bad input exiting 2 with file, line and field.
# Usage: check_serve_cli.sh <fleetsim> <workdir>
set -euo pipefail
fleetsim=$1; dir=$2; here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"; cd "$dir"; rm -f a.json b.json trace.json err.txt

"$fleetsim" serve deepseek-r1-serving --json --requests 200000 --trace trace.json -o a.json
"$fleetsim" serve deepseek-r1-serving --json --requests 200000 -o b.json
cmp a.json b.json || { echo "FAIL: two runs with the same seed differ"; exit 1; }
for key in prefill_tokens_per_s_per_node decode_tokens_per_s_per_node ttft_s tpot_s p50 p90 p99 nodes peak average \
           gpu_hours_per_day cost_usd_per_day usd_per_million_output_tokens revenue_usd_per_day cost_profit_margin \
           hourly nodes_prefill nodes_decode; do
  grep -q "\"$key\"" a.json || { echo "FAIL: no key $key"; exit 1; }
done
grep -q '"traceEvents"' trace.json || { echo "FAIL: no trace"; exit 1; }

set +e
"$fleetsim" serve deepseek-r1-serving --no-sim --set serving.decode.ep=512 2>err.txt
rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "FAIL: EP > experts exited $rc, not 2"; cat err.txt; exit 1; }
grep -q "serving.decode.ep" err.txt || { echo "FAIL: the error does not name the field"; cat err.txt; exit 1; }
grep -q "larger than the model's 256 routed experts" err.txt || { echo "FAIL: no reason"; cat err.txt; exit 1; }
# A replayed request trace with a malformed cell: exit 2, the trace's file, line and column.
printf 'arrival_s,input_tokens,output_tokens\n1,100,10\n2,1OO,10\n' > bad.csv
sed -e '/input_tokens_per_day/d' -e '/output_tokens_per_day/d' -e '/^    input: /d' -e '/^    output: {/d' \
    -e '/daily_curve/,/0.887, 0.84/d' -e 's/^  traffic: .*/  traffic:\n    trace: bad.csv/' \
    "$here/../../scenarios/deepseek-r1-serving.yaml" > traced.yaml
set +e
"$fleetsim" serve traced.yaml --no-sim 2>err.txt
rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "FAIL: a malformed trace exited $rc, not 2"; cat err.txt; exit 1; }
grep -q "bad.csv:3:2: serving.traffic.trace: input_tokens: not a number: '1OO'" err.txt ||
  { echo "FAIL: the trace error does not name file, line, column and field"; cat err.txt; exit 1; }
set +e
"$fleetsim" validate traced.yaml 2>err.txt
rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "FAIL: validate passed a malformed trace (exit $rc)"; cat err.txt; exit 1; }
echo "ok: keys, determinism, trace, bad input exits 2"
