#!/bin/sh
# Render, assemble and extract the wide suite clip by clip, in manifest order
# (or the clips named), so every finished clip is usable at once. Resumable:
# cached poses, written truth and existing recordings are skipped.
#   nohup tools/render/wide_queue.sh [NAME ...] > /tmp/render_wide.log 2>&1 &
# HIPROT_VENV: hiprot's venv (default: .venv in the repository).
set -eu
cd "$(dirname "$0")"
REPO=$(cd ../.. && pwd)
RENDER_PY=${RENDER_PY:-/work/render-venv/bin/python}
HIPROT=${HIPROT_VENV:-$REPO/.venv}/bin/hiprot
OUT=$REPO/benchmarks/render_suite/wide
VIDEOS=${HIPROT_RENDER_CACHE:-/work/render-cache}/wide
NAMES=${*:-$($RENDER_PY -c "import json; print(' '.join(c['name'] for c in json.load(open('$OUT/manifest.json'))['clips']))")}
for name in $NAMES; do
    echo "== $name $(date -u +%H:%M:%S)"
    nice -n 19 "$RENDER_PY" wide.py render "$name"
    if [ ! -f "$OUT/$name.truth.json" ] || [ ! -f "$VIDEOS/$name.mp4" ]; then
        nice -n 19 "$RENDER_PY" wide.py assemble "$name"
    fi
    for video in "$name" "$name-webcam"; do
        rec="$OUT/$video.landmarks.jsonl.gz"
        if [ ! -f "$rec" ]; then
            nice -n 19 "$HIPROT" extract "$VIDEOS/$video.mp4" -o "$rec" --model full
        fi
    done
    echo "== $name done $(date -u +%H:%M:%S)"
done
