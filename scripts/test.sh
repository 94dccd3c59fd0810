#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian/Ubuntu machine, then run it:
# Debian's chromium (browser tests; never a downloaded browser), Node.js (client unit
# tests), PostgreSQL and Redis (storage and cluster tests start their own servers on free
# ports), a virtualenv with chgrid and its test extras, then pytest and node --test.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
need=""
command -v chromium >/dev/null 2>&1 || need="$need chromium"
command -v node >/dev/null 2>&1 || need="$need nodejs"
# Checked by binary: the tests run initdb/postgres and redis-server themselves.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need="$need postgresql"
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || need="$need redis-server"
if [ -n "$need" ]; then
  $SUDO apt-get update -qq
  # The packages' own services are not wanted (the tests start private servers), and in a
  # container without an init system starting them may fail: while installing, a
  # policy-rc.d that refuses every start (exit 101) makes invoke-rc.d skip them and the
  # install succeed. An existing policy-rc.d is left as it is.
  policy=/usr/sbin/policy-rc.d
  own_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
    own_policy=1
  fi
  # shellcheck disable=SC2086
  if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need; then
    [ -z "$own_policy" ] || $SUDO rm -f "$policy"
    exit 1
  fi
  [ -z "$own_policy" ] || $SUDO rm -f "$policy"
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test,browser]'

node --test tests/js/
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
# The websocket suite again against one node on PostgreSQL (started by the tests), unless
# the caller picked tests of their own.
if [ "$#" -eq 0 ]; then
  CHGRID_TEST_DATABASE=postgresql .venv/bin/python -m pytest -q -p no:cacheprovider \
    tests/test_ws_*.py tests/test_admin_cli.py tests/test_ack_durability.py
fi
