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
# RTSP test streams (gst-rtsp-server through python3-gi) for the camera tests
/usr/bin/python3 -c "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer" >/dev/null 2>&1 \
  || need+=(python3-gi gstreamer1.0-rtsp gir1.2-gst-rtsp-server-1.0 gstreamer1.0-tools)
[ -e /usr/lib/x86_64-linux-gnu/gstreamer-1.0/libgstvideoparsersbad.so ] || need+=(gstreamer1.0-plugins-bad)
[ -e /usr/lib/x86_64-linux-gnu/gstreamer-1.0/libgstx264.so ] || need+=(gstreamer1.0-plugins-ugly)
[ -e /usr/lib/x86_64-linux-gnu/gstreamer-1.0/libgstlibav.so ] || need+=(gstreamer1.0-libav gstreamer1.0-plugins-base gstreamer1.0-plugins-good)
# SFTP counterpart for the data platform's connector tests (a private sshd on a loopback port)
[ -x /usr/sbin/sshd ] && [ -x /usr/lib/openssh/sftp-server ] || need+=(openssh-server openssh-sftp-server)
[ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || need+=(fonts-wqy-zenhei)
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)

if ((${#need[@]})); then
  echo "setup: installing Debian packages: ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
