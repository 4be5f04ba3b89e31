# Sourced by ./run and ./test: make sure .venv exists and matches requirements/lock.txt.
# Needs only python3.11 and the package registry.
set -eu
ROOT=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
VENV="${VANTHU_VENV:-$ROOT/.venv}"
PY="${VANTHU_PYTHON:-}"
if [ -z "$PY" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PY=$candidate; break
    fi
  done
fi
[ -n "$PY" ] || { echo "vanthu: Python 3.11 is required (set VANTHU_PYTHON)" >&2; exit 1; }
if [ ! -x "$VENV/bin/python" ]; then
  echo "vanthu: creating $VENV" >&2
  "$PY" -m venv "$VENV"
fi
stamp="$VENV/.vanthu-installed"
want=$(cat "$ROOT/requirements/lock.txt" "$ROOT/pyproject.toml" | "$VENV/bin/python" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "vanthu: installing dependencies (requirements/lock.txt)" >&2
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$ROOT/requirements/lock.txt" 2>&1 | grep -v "is ignored: it is neither" >&2 || true
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e "$ROOT" 2>&1 | grep -v "is ignored: it is neither" >&2 || true
  "$VENV/bin/python" -c 'import django, pyhanko, vanthu' || { echo "vanthu: dependency installation failed" >&2; exit 1; }
  echo "$want" > "$stamp"
fi
export PATH="$VENV/bin:$PATH"
