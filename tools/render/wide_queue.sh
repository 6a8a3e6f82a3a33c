#!/bin/sh
# Render, assemble and extract the wide suite clip by clip, in manifest order
# (the 36 drill clips, then the negatives) or the clips named, so every
# finished clip is usable at once. Resumable: cached poses, written truths
# and existing recordings are skipped; a clip that fails is reported and
# the queue goes on to the next.
#   nohup tools/render/wide_queue.sh [NAME ...] > /tmp/render_wide.log 2>&1 &
# HIPROT_VENV: hiprot's venv (default: .venv in the repository).
set -u
cd "$(dirname "$0")"
REPO=$(cd ../.. && pwd)
RENDER_PY=${RENDER_PY:-/work/render-venv/bin/python}
HIPROT=${HIPROT_VENV:-$REPO/.venv}/bin/hiprot
OUT=$REPO/benchmarks/render_suite/wide
VIDEOS=${HIPROT_RENDER_CACHE:-/work/render-cache}/wide
NAMES=${*:-$($RENDER_PY -c "import json; m = json.load(open('$OUT/manifest.json')); print(' '.join(c['name'] for c in m['clips'] + m['negatives']))")}

clip() {
    nice -n 19 "$RENDER_PY" wide.py render "$1" || return 1
    if [ ! -f "$OUT/$1.truth.json" ] || [ ! -f "$VIDEOS/$1.mp4" ]; then
        nice -n 19 "$RENDER_PY" wide.py assemble "$1" || return 1
    fi
    for video in "$1" "$1-webcam"; do
        rec="$OUT/$video.landmarks.jsonl.gz"
        if [ ! -f "$rec" ]; then
            nice -n 19 "$HIPROT" extract "$VIDEOS/$video.mp4" -o "$rec" --model full || return 1
        fi
    done
}

for name in $NAMES; do
    echo "== $name $(date -u +%H:%M:%S)"
    if clip "$name"; then
        echo "== $name done $(date -u +%H:%M:%S)"
    else
        echo "== $name FAILED $(date -u +%H:%M:%S)"
    fi
done
