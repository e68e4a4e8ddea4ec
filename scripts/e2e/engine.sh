#!/usr/bin/env bash
# A private Docker engine for end-to-end tests (apt docker.io; no systemd, no registry).
#
#   scripts/e2e/engine.sh start    install docker.io/busybox-static/debootstrap if missing, start dockerd on
#                                  $MS_DOCKER_DIR/docker.sock, wait for `docker info`, print `export DOCKER_HOST=...`
#   scripts/e2e/engine.sh stop     stop dockerd (and its containerd/shims) by pid, unmount, remove the state
#   scripts/e2e/engine.sh env      print `export DOCKER_HOST=...`
#   scripts/e2e/engine.sh status   exit 0 when the engine answers
#
# Use: eval "$(scripts/e2e/engine.sh start)"; ...; scripts/e2e/engine.sh stop
#
# Environment: MS_DOCKER_DIR (default /tmp/msd; keep it short), MS_DOCKER_TIMEOUT (seconds to wait for the
# engine, default 60), MS_DOCKERD_ARGS (extra dockerd flags, word-split), MS_DOCKER_KEEP_DATA=1 (stop keeps
# the images in $MS_DOCKER_DIR/data for the next start).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

D=$MS_DOCKER_DIR
SOCK=$D/docker.sock

check_dir() {
  [[ $D == /* ]] || die "MS_DOCKER_DIR must be absolute: $D"
  # containerd's longest socket: $D/exec/containerd/containerd.sock.ttrpc (unix path limit 108 bytes incl. NUL)
  local longest="$D/exec/containerd/containerd.sock.ttrpc"
  ((${#longest} < 100)) || die "MS_DOCKER_DIR is too long (${#D} chars): containerd's socket path '$longest' must stay under 108 bytes; use a short dir such as /tmp/msd"
}

# The pid of our dockerd, or nothing. Checks /proc so a recycled pid is never killed.
dockerd_pid() {
  local f p
  for f in "$D/pid" "$D/dockerd.pid"; do
    [[ -s $f ]] || continue
    p=$(<"$f")
    [[ $p =~ ^[0-9]+$ ]] || continue
    if [[ -r /proc/$p/cmdline ]] && tr '\0' ' ' <"/proc/$p/cmdline" | grep -q -- "dockerd.*--exec-root $D/exec"; then
      echo "$p"
      return 0
    fi
  done
  return 0
}

# Pids of this engine's containerd and shims (argv[0] containerd*, an argument under $D/exec/), or nothing.
engine_children() {
  local c p a args
  for c in /proc/[0-9]*/cmdline; do
    p=${c#/proc/}
    p=${p%/cmdline}
    args=()
    mapfile -d '' args <"$c" 2>/dev/null || continue
    [[ ${#args[@]} -gt 0 && ${args[0]##*/} == containerd* ]] || continue
    for a in "${args[@]}"; do
      if [[ $a == "$D/exec/"* ]]; then
        echo "$p"
        break
      fi
    done
  done
}

alive() { # PID: running and not a zombie waiting to be reaped
  local st
  kill -0 "$1" 2>/dev/null || return 1
  st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ $st != Z ]]
}

wait_gone() { # PID SECONDS
  local pid=$1 n=$(($2 * 10))
  while ((n-- > 0)); do
    alive "$pid" || return 0
    sleep 0.1
  done
  return 1
}

stop_pid() { # PID NAME SECONDS
  local pid=$1 name=$2 secs=$3
  alive "$pid" || return 0
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_gone "$pid" "$secs"; then
    log "$name (pid $pid) still running after ${secs}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 5 || log "warning: $name (pid $pid) did not exit"
  fi
}

unmount_all() {
  # Deepest first: overlay mounts under data/, netns bind mounts under exec/, leftovers of a failed debootstrap.
  local m
  while read -r m; do
    [[ -n $m ]] || continue
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "warning: cannot unmount $m"
  done < <(awk -v d="$D/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
}

do_stop() {
  check_dir
  local pid p
  pid=$(dockerd_pid)
  if [[ -n $pid ]]; then
    # dockerd stops its containers (up to --shutdown-timeout, 15 s each) and its containerd on SIGTERM.
    stop_pid "$pid" dockerd 60
  else
    log "no dockerd running for $D"
  fi
  # containerd/shims left behind by a dockerd that died or was killed.
  for p in $(engine_children); do
    stop_pid "$p" "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-60)" 10
  done
  if [[ -d $D ]]; then
    unmount_all
    restore_root_private
    local keep=(-name log)
    if [[ ${MS_DOCKER_KEEP_DATA:-0} == 1 ]]; then keep+=(-o -name data); fi
    find "$D" -mindepth 1 -maxdepth 1 ! \( "${keep[@]}" \) -exec rm -rf --one-file-system {} +
    log "cleaned $D (kept: log$([[ ${MS_DOCKER_KEEP_DATA:-0} == 1 ]] && echo ', data'))"
  fi
}

# A bind mount with rslave propagation (node_exporter's `/:/host:ro,rslave`) fails on a host whose / is
# private (no systemd): "path / is mounted on / but it is not a shared or slave mount". Make / rshared, as
# systemd does, and undo it on stop. MS_DOCKER_RSHARED=0 leaves the host's mounts alone.
make_root_shared() {
  [[ ${MS_DOCKER_RSHARED:-1} == 1 ]] || return 0
  local prop
  prop=$(findmnt -n -o PROPAGATION / 2>/dev/null || echo unknown)
  if [[ $prop == private ]]; then
    mount --make-rshared / || die "mount --make-rshared / failed (set MS_DOCKER_RSHARED=0 to skip; rslave binds will then fail)"
    : >"$D/rshared-changed"
    log "made / rshared for rslave bind mounts (was private; engine.sh stop restores it)"
  fi
}

restore_root_private() {
  if [[ -e $D/rshared-changed ]]; then
    if mount --make-rprivate /; then log "made / rprivate again"; else log "warning: mount --make-rprivate / failed"; fi
    rm -f "$D/rshared-changed"
  fi
}

print_env() { printf 'export DOCKER_HOST=unix://%s\n' "$SOCK"; }

do_start() {
  need_root
  check_dir
  apt_install docker.io busybox-static debootstrap
  export DOCKER_HOST=unix://$SOCK
  local pid
  pid=$(dockerd_pid)
  # A running engine is reused only when it was started with the flags asked for now (an earlier, interrupted run
  # may have left one whose registry mirror points at a port nobody serves any more).
  if [[ -n $pid ]] && docker info >/dev/null 2>&1; then
    if [[ -f $D/args && "$(cat "$D/args")" == "${MS_DOCKERD_ARGS:-}" ]]; then
      log "dockerd already running (pid $pid) on $SOCK"
      print_env
      return 0
    fi
    log "dockerd (pid $pid) runs with other flags than asked for (${MS_DOCKERD_ARGS:-none}); restarting it"
  fi
  if [[ -n $pid || -e $D/pid || -e $D/exec || -S $SOCK ]]; then
    log "stale engine state in $D; cleaning it first"
    MS_DOCKER_KEEP_DATA=1 do_stop
  fi
  mkdir -p "$D"
  make_root_shared
  local t0 timeout=${MS_DOCKER_TIMEOUT:-60}
  t0=$(now)
  local extra=()
  # shellcheck disable=SC2206 # word splitting of MS_DOCKERD_ARGS is intended
  [[ -n ${MS_DOCKERD_ARGS:-} ]] && extra=(${MS_DOCKERD_ARGS})
  # --ip 127.0.0.1: a port published without a host address binds to loopback, not 0.0.0.0.
  setsid dockerd \
    --data-root "$D/data" --exec-root "$D/exec" \
    -H "unix://$SOCK" --pidfile "$D/pid" \
    --ip 127.0.0.1 \
    "${extra[@]}" </dev/null >"$D/log" 2>&1 &
  pid=$!
  echo "$pid" >"$D/dockerd.pid"
  printf '%s' "${MS_DOCKERD_ARGS:-}" >"$D/args"
  log "dockerd started (pid $pid), log $D/log; waiting up to ${timeout}s for docker info"
  local deadline=$((SECONDS + timeout))
  until docker info >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      fail_start "dockerd (pid $pid) exited before answering"
    fi
    if ((SECONDS >= deadline)); then
      fail_start "dockerd did not answer 'docker info' on $SOCK within ${timeout}s"
    fi
    sleep 0.3
  done
  record_time "engine start" "$(elapsed "$t0")"
  print_env
}

fail_start() {
  {
    echo "[e2e] error: $1"
    echo "---- last 40 lines of $D/log ----"
    tail -n 40 "$D/log" 2>/dev/null || echo "(no log)"
    echo "----"
  } >&2
  do_stop || true
  exit 1
}

case "${1:-}" in
start) do_start ;;
stop) do_stop ;;
env) print_env ;;
status)
  export DOCKER_HOST=unix://$SOCK
  ensure_docker_client
  docker info --format 'engine {{.ServerVersion}} storage {{.Driver}} cgroup v{{.CgroupVersion}}'
  ;;
*)
  echo "usage: $0 start|stop|env|status" >&2
  exit 64
  ;;
esac
