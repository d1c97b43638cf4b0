#!/usr/bin/env bash
# Setup time of both virtualenvs in a fresh clone: from nothing (empty pip cache), from a
# warm pip cache, and a no-op rerun. Usage: bash scripts/bench_setup.sh
set -euo pipefail
repo=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

time_setup() {  # $1: label, $2: clone dir, extra env in the rest
    local label=$1 dir=$2; shift 2
    local start=$SECONDS
    env "$@" make -C "$dir" setup >/dev/null
    printf '| %s | %d s |\n' "$label" "$((SECONDS - start))"
}

git clone -q "$repo" "$work/cold"
git clone -q "$repo" "$work/warm"
echo "| setup | time |"
echo "|---|---|"
time_setup "from nothing (empty pip cache)" "$work/cold" PIP_CACHE_DIR="$work/pip-cache"
time_setup "warm pip cache" "$work/warm"
time_setup "nothing changed (stamps up to date)" "$work/warm"
