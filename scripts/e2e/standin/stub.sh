#!/bin/sh
# Multi-call stand-in for the programs an image's healthcheck or cron calls (fail2ban-client, /dozzle,
# /watchtower, borgmatic, ...). Installed as symlinks; dispatches on the name it was called by.
# Unknown names print what they were asked and exit 0.
set -eu
name=$(basename "$0")

# Succeeds when the stand-in's own HTTP server answers its health path (for "<app> healthcheck" programs).
probe_self() {
  [ -n "${STANDIN_PORT:-}" ] && [ "${STANDIN_PORT}" != 0 ] || return 0
  curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:${STANDIN_PORT}${STANDIN_HEALTH_PATH:-/}"
}

case "$name" in
crond)
  # A long-running process named crond (the script keeps the name while it loops).
  while :; do sleep 3600; done
  ;;
fail2ban-client)
  case "${1:-}" in
  ping) echo "Server replied: pong" ;;
  status)
    if [ -n "${2:-}" ]; then
      # shellcheck disable=SC2016 # the backticks are fail2ban's tree drawing
      printf 'Status for the jail: %s\n|- Filter\n|  |- Currently failed:\t0\n|  `- Total failed:\t0\n`- Actions\n   |- Currently banned:\t0\n   `- Total banned:\t0\n' "$2"
    else
      # shellcheck disable=SC2016
      printf 'Status\n|- Number of jail:\t0\n`- Jail list:\t\n'
    fi
    ;;
  version | -V | --version) echo "Fail2Ban v1.1.0 (stand-in)" ;;
  *) echo "stand-in fail2ban-client: $*" ;;
  esac
  ;;
dozzle)
  case "${1:-}" in
  healthcheck) probe_self ;;
  *) echo "stand-in dozzle: $*" ;;
  esac
  ;;
watchtower)
  case "${1:-}" in
  --health-check) exit 0 ;;
  *) echo "stand-in watchtower: $*" ;;
  esac
  ;;
borgmatic | borgmatic-start)
  case "${1:-}" in
  --version) echo "2.1.7" ;;
  config) echo "summary:"; echo "stand-in: configuration valid" ;;
  *) echo "stand-in $name: $*" ;;
  esac
  ;;
borg)
  case "${1:-}" in
  --version) echo "borg 1.4.5" ;;
  *) echo "stand-in borg: $*" ;;
  esac
  ;;
*)
  echo "stand-in $name: $*"
  ;;
esac
