#!/bin/sh
# Lintel kiosk inside an existing X11 session (Forlinx Desktop 22.04 keeps its autologin desktop, DISPLAY=:0):
# started by /etc/xdg/autostart/lintel-kiosk.desktop. Keeps the screen awake and restarts the app when it exits
# (the app reloads a crashed page itself; this covers the main process). The cage unit
# (systemd/lintel-kiosk.service) is the tidier choice where the desktop can go.
set -u

if [ -r /etc/lintel/lintel.env ]; then
  set -a
  # shellcheck disable=SC1091
  . /etc/lintel/lintel.env
  set +a
fi
: "${LINTEL_DATA_DIR:=/var/lib/lintel/data}"
export LINTEL_DATA_DIR

# No screen saver, no DPMS blanking (the app also holds a display-sleep blocker).
xset s off -dpms s noblank 2>/dev/null || true
# Hide the pointer on a touchscreen where unclutter is installed.
command -v unclutter >/dev/null && unclutter -idle 1 -root &

while :; do
  /opt/Lintel/lintel-kiosk
  echo "lintel-kiosk exited ($?); starting it again in 2 s" >&2
  sleep 2
done
