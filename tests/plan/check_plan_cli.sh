#!/usr/bin/env bash
# fleetsim plan end to end on the shipped plans, with the real engines:
#  - the seeds' plan (train V3 in 60 days and serve R1 on H800/H100/H20) finds a fleet that meets
#    every target, within the availability limits, and gives the same JSON on 1 and 2 threads;
#  - the V3 layout plan holds DeepSeek's published layout in its space and finds one at least as
#    fast by fleetsim's own model, with an explanation;
#  - a bad plan file exits 2 naming the file, line and field.
# Usage: check_plan_cli.sh <fleetsim> <check_plan_json> <workdir>
set -euo pipefail
fleetsim=$1; checker=$2; dir=$3
mkdir -p "$dir"; cd "$dir"; rm -f ./*.json ./*.html ./*.yaml

"$fleetsim" plan train-v3-serve-r1 -q -j 1 -o seeds.html --json seeds1.json
"$fleetsim" plan train-v3-serve-r1 -q -j 2 -o seeds.html --json seeds2.json
cmp seeds1.json seeds2.json || { echo "FAIL: the plan differs between 1 and 2 threads"; exit 1; }
"$checker" seeds seeds1.json

"$fleetsim" plan deepseek-v3-layout -q -o layout.html --json layout.json
"$checker" layout layout.json

cat > bad.yaml <<'Y'
name: bad
base: deepseek.yaml
choices: [{node: hgx-h20}]
training: {deadline: 60 d, nodes: [64], pp: [0]}
Y
set +e
err=$("$fleetsim" plan bad.yaml -q -o bad.html 2>&1); rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "FAIL: a bad plan exits $rc, not 2: $err"; exit 1; }
echo "$err" | grep -q "bad.yaml:4" || { echo "FAIL: no file:line in: $err"; exit 1; }
[ ! -e bad.html ] || { echo "FAIL: a report was written for a bad plan"; exit 1; }
echo "ok: bad plan: $err"
