#!/usr/bin/env bash
# Set up everything Jimaku needs from nothing: a virtualenv with the CPU build of torch first
# (argostranslate pulls torch in through stanza; unpinned it resolves to a multi-GB CUDA build),
# then the project. With --test also the test extra and, from Debian packages, Chromium for
# browser tests, redis-server for the RQ worker tests and PostgreSQL for the suite's PG run.
# Idempotent and quick when nothing changed (a stamp file records what was installed).
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_TEST=0
[ "${1:-}" = "--test" ] && WITH_TEST=1

PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PYTHON="$candidate"; break
    fi
  done
fi
if [ -z "$PYTHON" ]; then
  echo "Jimaku needs Python 3.11 (set PYTHON=/path/to/python3.11)." >&2
  exit 1
fi

VENV=.venv
if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating virtualenv in $VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi
PIP="$VENV/bin/python -m pip"

if ! "$VENV/bin/python" -c 'import torch, sys; sys.exit(not torch.__version__.startswith("2.13.0"))' 2>/dev/null; then
  echo "==> installing torch 2.13.0 (CPU build)"
  $PIP install --quiet "torch==2.13.0"
fi

extra="."
[ $WITH_TEST = 1 ] && extra=".[test]"
stamp="$VENV/.jimaku-installed-$WITH_TEST"
want="$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "==> installing Jimaku ($extra)"
  $PIP install --quiet -e "$extra"
  echo "$want" > "$stamp"
fi

if [ $WITH_TEST = 1 ]; then
  # Debian packages the tests need, installed only when missing: Chromium (browser tests),
  # redis-server (RQ worker tests), PostgreSQL (the suite's PostgreSQL run, scripts/postgres.sh),
  # espeak-ng (spoken test episodes for audio timing).
  apt_packages=()
  command -v chromium >/dev/null 2>&1 || apt_packages+=(chromium fonts-noto-cjk)
  command -v redis-server >/dev/null 2>&1 || apt_packages+=(redis-server)
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then apt_packages+=(postgresql); fi
  # espeak-ng: the audio-timing tests and benchmark speak synthetic episodes with its Japanese voice.
  command -v espeak-ng >/dev/null 2>&1 || apt_packages+=(espeak-ng)
  if [ ${#apt_packages[@]} -gt 0 ]; then
    echo "==> installing from Debian packages: ${apt_packages[*]}"
    SUDO=""
    [ "$(id -u)" != 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_packages[@]}" >/dev/null
  fi
fi
echo "==> environment ready"
