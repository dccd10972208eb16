#!/bin/sh
# [UNCERTAIN — not tried on a board] Lintel kiosk on the Forlinx Buildroot image, which starts Weston itself
# (init script; reference §6.1, §6.3): the app joins as a Wayland client. BusyBox init restarts it through
# /etc/inittab:   ::respawn:/opt/Lintel/resources/board/weston/lintel-kiosk-weston.sh
# Before relying on it: `ldd /opt/Lintel/lintel-kiosk` must find every library (GTK 3, NSS, GBM, ALSA…; the
# Buildroot image may lack them), and weston.ini should use the kiosk shell (weston-kiosk.ini) so the window
# is fullscreen without decorations.
set -u

if [ -r /etc/lintel/lintel.env ]; then
  set -a
  . /etc/lintel/lintel.env
  set +a
fi
: "${LINTEL_DATA_DIR:=/var/lib/lintel/data}"
export LINTEL_DATA_DIR
# The Buildroot image's Weston environment (reference §6.1).
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/var/run}"
export WAYLAND_DISPLAY="${WAYLAND_DISPLAY:-wayland-0}"

# Wait for Weston's socket: init starts both at about the same time.
i=0
while [ ! -S "$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY" ] && [ "$i" -lt 30 ]; do
  sleep 1
  i=$((i + 1))
done

# The image runs everything as root, and Chromium refuses to run as root inside its sandbox. Prefer a service
# user (`useradd -r lintel`, in the groups of 70-lintel.rules) [UNCERTAIN: it also needs access to Weston's
# socket in $XDG_RUNTIME_DIR, which Weston creates as root]; --no-sandbox only as the last resort.
if [ "$(id -u)" -ne 0 ]; then
  exec /opt/Lintel/lintel-kiosk --ozone-platform=wayland
fi
if id lintel >/dev/null 2>&1; then
  exec su -s /bin/sh lintel -c "exec /opt/Lintel/lintel-kiosk --ozone-platform=wayland"
fi
echo "lintel-kiosk: running as root without Chromium's sandbox; create a service user instead" >&2
exec /opt/Lintel/lintel-kiosk --ozone-platform=wayland --no-sandbox
