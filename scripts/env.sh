# Shared by scripts/serve, scripts/test and scripts/lock: create .venv with Python 3.11+ and install
# the locked dependencies (requirements.lock, or requirements-dev.lock for "[dev]") and the project
# when pyproject.toml or the lock file changed since the last install.
ensure_venv() {
  local extras="$1" python="${PYTHON:-python3}"
  "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "PeakHealth needs Python 3.11 or newer (found: $("$python" --version 2>&1))" >&2
    exit 1
  }
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  local lock="requirements.lock"
  [ -z "$extras" ] || lock="requirements-dev.lock"
  local stamp=".venv/.installed${extras}"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    # Exactly the locked versions, each checked against its hash; then the project itself.
    .venv/bin/python -m pip install --quiet --require-hashes -r "$lock"
    .venv/bin/python -m pip install --quiet --no-deps -e .
    touch "$stamp"
  fi
}
