#!/usr/bin/env bash
# Installs what runbook's tests and demo use on a fresh Debian machine: PostgreSQL's server
# binaries (the tests start throwaway clusters), Node.js for s3rver (a local S3 server, pinned in
# tools/package-lock.json). Safe to run again; installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql postgresql-client)
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
command -v gzip >/dev/null 2>&1 || need_apt+=(gzip)
command -v tar >/dev/null 2>&1 || need_apt+=(tar)

if [[ ${#need_apt[@]} -gt 0 ]]; then
  if [[ "$(id -u)" != "0" ]]; then
    echo "missing: ${need_apt[*]} — run as root or: sudo apt-get install ${need_apt[*]}" >&2
    exit 1
  fi
  echo "==> apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [[ ! -x tools/node_modules/.bin/s3rver ]]; then
  echo "==> npm ci --prefix tools (s3rver)"
  npm ci --prefix tools --no-audit --no-fund --loglevel=error
fi
