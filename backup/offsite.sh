#!/bin/sh
# Rendered to backup/ by `mediaserver render` from Sources/MediaStackRendering/Scripts/backup/offsite.sh.
# offsite.sh REPOSITORY TEXTFILE_DIR — copy the local Borg repository to an rclone remote, holding Borg's
# exclusive lock. If TEXTFILE_DIR exists, mediaserver_offsite.prom is written there.
#
# Scheduled by backup/rclone/crontab.txt (04:10) in the rclone_backup container (borgmatic image +
# EXTRA_PKGS=rclone, so `borg` and `rclone` are both there), mounted at /etc/mediaserver/backup/offsite.sh;
# `mediaserver offsite sync` runs it there or, with --direct, on the host. Both pass the paths.
#
# Environment (no remote names or credentials live in this file):
#   RCLONE_REMOTE            required, "<remote>:<path>", e.g. gdrive:mediaserver-borg
#   RCLONE_CONFIG / RCLONE_CONFIG_<NAME>_*   rclone's own config file or env-only remote definition
#   OFFSITE_MAX_DELETE       max remote files sync may delete/move per run (default 50)
#   OFFSITE_LOCK_WAIT        seconds to wait for a running borg (default 3600)
#   OFFSITE_DELETED_RETENTION  age after which <remote>-deleted/<date> entries are purged
#                            (default 30d; "off" keeps them forever)
#   OFFSITE_ALLOW_NEW_REPO=1 allow replacing a remote copy of a *different* repository (new repo id)
#
# Safety:
#   * refuses to run unless the local path is a Borg repository (README + config with
#     [repository] + data/), so an empty or unmounted path can never wipe the remote;
#   * refuses when the remote holds a different repository id (unless OFFSITE_ALLOW_NEW_REPO=1);
#   * `borg with-lock` keeps borg (create/prune/compact/check) out while rclone copies, so the copy
#     is never taken mid-write; Borg's lock files themselves are not copied;
#   * `--max-delete` makes rclone stop with a fatal error instead of deleting many remote files,
#     and `--backup-dir` moves anything deleted or overwritten to <remote>-deleted/<date>;
#   * `rclone check --one-way` verifies every local file exists remotely with the same size/hash.
# Exit status: 0 ok; 2 refused (precondition); otherwise the failing borg/rclone status.
set -eu

# shellcheck source=SCRIPTDIR/textfile-metrics.sh
. "$(dirname "$0")/textfile-metrics.sh"

log() { printf 'offsite: %s\n' "$*" >&2; }

# Phase 2 (below) is this script again, as the child of `borg with-lock`, with --locked before the paths.
LOCKED=
if [ "${1:-}" = "--locked" ]; then LOCKED=1; shift; fi
[ "$#" -eq 2 ] || { log "usage: offsite.sh REPOSITORY TEXTFILE_DIR (got $# arguments)"; exit 2; }
REPO=$1
TEXTFILE_DIR=$2
REMOTE=${RCLONE_REMOTE:-}
MAX_DELETE=${OFFSITE_MAX_DELETE:-50}
LOCK_WAIT=${OFFSITE_LOCK_WAIT:-3600}
RETENTION=${OFFSITE_DELETED_RETENTION:-30d}

refuse() { log "REFUSED: $*"; write_metrics 0; exit 2; }

write_metrics() { # $1 = 1 ok / 0 failed
  [ -d "$TEXTFILE_DIR" ] && [ -w "$TEXTFILE_DIR" ] || return 0
  prom="$TEXTFILE_DIR/mediaserver_offsite.prom"
  now=$(date +%s)
  last_ok=$(previous_value "$prom" mediaserver_offsite_last_success_timestamp_seconds)
  : "${last_ok:=0}"
  [ "$1" -eq 1 ] && last_ok=$now
  tmp=$(mktemp "$TEXTFILE_DIR/.mediaserver_offsite.prom.XXXXXX") || return 0
  {
    echo "# HELP mediaserver_offsite_last_run_timestamp_seconds Unix time the last off-site sync ended."
    echo "# TYPE mediaserver_offsite_last_run_timestamp_seconds gauge"
    echo "mediaserver_offsite_last_run_timestamp_seconds $now"
    echo "# HELP mediaserver_offsite_last_success_timestamp_seconds Unix time of the last verified off-site sync (0 = never)."
    echo "# TYPE mediaserver_offsite_last_success_timestamp_seconds gauge"
    echo "mediaserver_offsite_last_success_timestamp_seconds $last_ok"
    echo "# HELP mediaserver_offsite_last_status Result of the last off-site sync (1 = ok, 0 = failed)."
    echo "# TYPE mediaserver_offsite_last_status gauge"
    echo "mediaserver_offsite_last_status $1"
  } >"$tmp"
  if ! { chmod 0644 "$tmp" && mv -f "$tmp" "$prom"; }; then rm -f "$tmp"; fi
}

if [ -n "$LOCKED" ]; then
  # Phase 2: we are the child of `borg with-lock`; the repository cannot change under us.
  deleted="$REMOTE-deleted/$(date +%F)"
  log "lock held; rclone sync $REPO -> $REMOTE (backup-dir $deleted, max-delete $MAX_DELETE)"
  # Borg's lock files are local state: never copied, never deleted remotely.
  rclone sync "$REPO" "$REMOTE" --exclude '/lock.exclusive/**' --exclude /lock.roster --backup-dir "$deleted" --max-delete "$MAX_DELETE" \
    --stats-one-line --stats 0 -v
  log "verifying: rclone check --one-way"
  rclone check "$REPO" "$REMOTE" --exclude '/lock.exclusive/**' --exclude /lock.roster --one-way
  exit 0
fi

# ---- Phase 1: preconditions (no lock yet) ---------------------------------------------------
case "$REMOTE" in
  '') refuse "RCLONE_REMOTE is not set (expected <remote>:<path>, e.g. gdrive:mediaserver-borg)" ;;
  *:*/ | *: ) refuse "RCLONE_REMOTE='$REMOTE' must name a sub-path (<remote>:<path>, no trailing /)" ;;
  *:?*) ;;
  *) refuse "RCLONE_REMOTE='$REMOTE' is not of the form <remote>:<path>" ;;
esac
command -v rclone >/dev/null 2>&1 || refuse "rclone is not installed (EXTRA_PKGS=rclone?)"
command -v borg >/dev/null 2>&1 || refuse "borg is not installed"

[ -d "$REPO" ] || refuse "local repository $REPO does not exist (not mounted?); not syncing so the remote copy stays intact"
[ -f "$REPO/README" ] && [ -f "$REPO/config" ] && [ -d "$REPO/data" ] \
  || refuse "$REPO is not a Borg repository (README, config or data/ missing); not syncing so the remote copy stays intact"
grep -q '^\[repository\]' "$REPO/config" || refuse "$REPO/config is not a Borg repository config"
local_id=$(awk -F' *= *' '$1 == "id" { print $2; exit }' "$REPO/config")

# Which repository does the remote hold? rclone exit 3/4 = directory/file not found (first sync).
cat_rc=0
remote_config=$(rclone cat "$REMOTE/config" 2>"${TMPDIR:-/tmp}/offsite-cat.$$") || cat_rc=$?
case "$cat_rc" in
  0)
    remote_id=$(printf '%s\n' "$remote_config" | awk -F' *= *' '$1 == "id" { print $2; exit }')
    if [ -n "$remote_id" ] && [ "$remote_id" != "$local_id" ] && [ "${OFFSITE_ALLOW_NEW_REPO:-0}" != 1 ]; then
      rm -f "${TMPDIR:-/tmp}/offsite-cat.$$"
      refuse "remote $REMOTE holds repository $remote_id but the local one is $local_id; set OFFSITE_ALLOW_NEW_REPO=1 to replace it"
    fi ;;
  3 | 4) log "no repository at $REMOTE yet; first sync" ;;
  *)
    log "cannot read $REMOTE/config (rclone exit $cat_rc):"
    tail -n 3 "${TMPDIR:-/tmp}/offsite-cat.$$" >&2
    rm -f "${TMPDIR:-/tmp}/offsite-cat.$$"
    log "FAILED: remote unreachable or misconfigured (check RCLONE_REMOTE and the rclone remote definition)"
    write_metrics 0
    exit 1 ;;
esac
rm -f "${TMPDIR:-/tmp}/offsite-cat.$$"

start=$(date +%s)
rc=0
BORG_RELOCATED_REPO_ACCESS_IS_OK=yes borg with-lock --lock-wait "$LOCK_WAIT" "$REPO" sh "$0" --locked "$REPO" "$TEXTFILE_DIR" || rc=$?
if [ "$rc" -ne 0 ]; then
  log "FAILED (exit $rc) after $(($(date +%s) - start))s; the remote may be partially updated, the next run repairs it"
  write_metrics 0
  exit "$rc"
fi

if [ "$RETENTION" != off ]; then
  purge_rc=0
  # (not `delete --rmdirs`: on sftp it tries to rmdir non-empty dated dirs and exits 1)
  rclone delete "$REMOTE-deleted" --min-age "$RETENTION" 2>/dev/null || purge_rc=$?
  # exit 3 = directory not found: nothing was ever moved aside yet
  if [ "$purge_rc" -eq 0 ]; then
    rclone rmdirs "$REMOTE-deleted" --leave-root 2>/dev/null || true
  elif [ "$purge_rc" -ne 3 ]; then
    log "warning: could not purge $REMOTE-deleted older than $RETENTION (rclone exit $purge_rc)"
  fi
fi
log "done in $(($(date +%s) - start))s"
write_metrics 1
