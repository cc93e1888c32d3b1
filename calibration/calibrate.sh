#!/usr/bin/env bash
# Calibrates this machine's GPU in one command: builds the CUDA runner, measures GPU 0 (GEMMs,
# attention, HBM, launches, copies; ~5 minutes), writes the table and prints its fit with the
# held-out and leave-one-out predictions.
#
#   calibration/calibrate.sh [runner options]      e.g. --gpu h100 --samples 100
#   OUT=calibration/data/h100.yaml calibration/calibrate.sh --force    (replace the shipped table)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-calibration-measured.yaml}"
cmake -S . -B build-cuda -G Ninja -DCMAKE_BUILD_TYPE=Release -DFLEETSIM_CUDA=ON -DBUILD_TESTING=OFF \
  -DFLEETSIM_BENCH=OFF >/dev/null
cmake --build build-cuda -j "$(nproc)" --target fleetsim_calibrate fleetsim
build-cuda/fleetsim_calibrate --out "$out" "$@"
build-cuda/fleetsim calib fit "$out"
