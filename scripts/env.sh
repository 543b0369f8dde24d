# Shared by scripts/serve and scripts/test: create .venv with Python 3.11+ and install the project
# when pyproject.toml changed since the last install.
ensure_venv() {
  local extras="$1" python="${PYTHON:-python3}"
  "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "PeakHealth needs Python 3.11 or newer (found: $("$python" --version 2>&1))" >&2
    exit 1
  }
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  local stamp=".venv/.installed${extras}"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".${extras}"
    touch "$stamp"
  fi
}
