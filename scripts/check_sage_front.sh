#!/usr/bin/env bash
# Manual proof (not part of `make test`): the sibling frontend BOB-DSPM/SAGE-FRONT, unchanged,
# against this server on the sandbox; screenshots into docs/interop/ (or $1).
#   scripts/check_sage_front.sh            # or: make sage-front-check
# Needs node/npm (npm ci reaches the npm registry), chromium + chromedriver, and a CJK font
# for its Korean labels (Debian: fonts-nanum). SAGE_FRONT_REPO: a clone or git dir of it
# (default: the mirror); the build is kept in build/sage-front and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-docs/interop}"
REPO="${SAGE_FRONT_REPO:-/work/.mirror/BOB-DSPM+SAGE-FRONT/repo}"
WORK="build/sage-front"
if [ ! -f "$WORK/dspm_dashboard/build/index.html" ]; then
    rm -rf "$WORK" && mkdir -p "$WORK"
    git -C "$REPO" archive HEAD dspm_dashboard | tar -x -C "$WORK"
    (cd "$WORK/dspm_dashboard" && npm ci --no-audit --no-fund --loglevel=error \
        && REACT_APP_API_HOST=127.0.0.1 CI=false GENERATE_SOURCEMAP=false npm run build)
fi
exec .venv/bin/python scripts/sage_front_check.py "$WORK/dspm_dashboard/build" "$OUT"
