#!/bin/sh
# Installs the kiosk's board files on a systemd image (Forlinx Desktop 22.04, Debian 12), after the
# lintel-kiosk .deb:   sudo /opt/Lintel/resources/board/install.sh [cage|x11]
#   cage (default): a `lintel` service user, and the lintel-kiosk unit running the app in cage on tty1;
#   x11: the app autostarts in the image's existing desktop session, as its autologin user ($LINTEL_USER,
#        default forlinx).
# Both: udev rules for the camera, GPIO and NPU; /etc/lintel/lintel.env (kept when it exists); the data folder.
# It changes nothing else: disabling the display manager and enabling the unit are printed as next steps.
# Safe to run again.
set -eu

BOARD_DIR=$(dirname "$(readlink -f "$0")")
MODE=${1:-cage}
DATA_ROOT=/var/lib/lintel

case "$MODE" in
  cage) SERVICE_USER=lintel ;;
  x11) SERVICE_USER=${LINTEL_USER:-forlinx} ;;
  *) echo "usage: $0 [cage|x11]" >&2; exit 2 ;;
esac
if [ "$(id -u)" -ne 0 ]; then
  echo "run as root: sudo $0 $MODE" >&2
  exit 1
fi

say() { printf '%s\n' "- $*"; }

for group in video render gpio input; do
  if ! getent group "$group" >/dev/null; then
    groupadd --system "$group"
    say "created group $group"
  fi
done

if [ "$MODE" = cage ]; then
  if ! id "$SERVICE_USER" >/dev/null 2>&1; then
    useradd --system --home-dir "$DATA_ROOT" --no-create-home --shell /usr/sbin/nologin --user-group "$SERVICE_USER"
    say "created service user $SERVICE_USER (home $DATA_ROOT)"
  fi
elif ! id "$SERVICE_USER" >/dev/null 2>&1; then
  echo "no user $SERVICE_USER: set LINTEL_USER to the desktop's autologin user" >&2
  exit 1
fi
usermod --append --groups video,render,gpio,input "$SERVICE_USER"
say "$SERVICE_USER is in the groups video, render, gpio, input"

install -D -m 0644 "$BOARD_DIR/udev/70-lintel.rules" /etc/udev/rules.d/70-lintel.rules
udevadm control --reload-rules && udevadm trigger
say "udev rules installed: /etc/udev/rules.d/70-lintel.rules"

if [ -e /etc/lintel/lintel.env ]; then
  say "kept /etc/lintel/lintel.env"
else
  install -D -m 0640 -g "$SERVICE_USER" "$BOARD_DIR/lintel.env.example" /etc/lintel/lintel.env
  say "wrote /etc/lintel/lintel.env: set LINTEL_CAMERA and LINTEL_RKNN_LIB for this board"
fi

install -d -m 0750 -o "$SERVICE_USER" -g "$SERVICE_USER" "$DATA_ROOT" "$DATA_ROOT/data"
say "data folder $DATA_ROOT/data (owner $SERVICE_USER)"

if [ "$MODE" = cage ]; then
  install -D -m 0644 "$BOARD_DIR/systemd/lintel-kiosk.service" /etc/systemd/system/lintel-kiosk.service
  systemctl daemon-reload
  say "unit installed: /etc/systemd/system/lintel-kiosk.service"
  command -v cage >/dev/null || echo "  cage is not installed: apt-get install cage" >&2
  cat <<NEXT

Next:
  1. Edit /etc/lintel/lintel.env (camera, NPU runtime).
  2. Let the kiosk have the screen: systemctl disable --now display-manager   (LightDM / GDM on the desktop image)
  3. systemctl enable --now lintel-kiosk
     journalctl -u lintel-kiosk -f     shows what it does.
NEXT
else
  install -D -m 0644 "$BOARD_DIR/x11/lintel-kiosk.desktop" /etc/xdg/autostart/lintel-kiosk.desktop
  say "autostart installed: /etc/xdg/autostart/lintel-kiosk.desktop"
  cat <<NEXT

Next:
  1. Edit /etc/lintel/lintel.env (camera, NPU runtime).
  2. Make sure the desktop logs $SERVICE_USER in automatically, then reboot (or log in again).
NEXT
fi
