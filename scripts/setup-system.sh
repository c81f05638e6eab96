#!/usr/bin/env bash
# Installs the Debian packages Quayside's tests and demo need, only when something is missing.
# Safe to run repeatedly; needs root (or sudo) the first time on a fresh machine.
set -euo pipefail

need=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_cmd socat || need+=(socat)
have_cmd mbpoll || need+=(mbpoll)
/usr/bin/python3 -c 'import pymodbus' >/dev/null 2>&1 || need+=(python3-pymodbus)
have_cmd pdftotext || need+=(poppler-utils)
[ -x /usr/bin/chromium ] || need+=(chromium)
have_cmd ffmpeg || need+=(ffmpeg)
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)

if ((${#need[@]})); then
  echo "setup: installing Debian packages: ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
