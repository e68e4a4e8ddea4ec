#!/bin/sh
# Rendered to backup/ by `mediaserver render` from Sources/MediaStackRendering/Scripts/backup/post-backup.sh.
# post-backup.sh STATE REPOSITORY DUMP_ROOT TEXTFILE_DIR RUN_STARTED
#
# borgmatic `after: everything` hook (create runs only; backup/config/config.yaml passes every argument); STATE
# is "finish" or "fail"; RUN_STARTED is the name of the file pre-backup.sh wrote the run's start time to in
# DUMP_ROOT. Writes node_exporter textfile metrics to TEXTFILE_DIR/mediaserver_backup.prom,
# atomically (temp file in the same directory, then mv), so a scrape never sees half a file:
#   mediaserver_backup_last_run_timestamp_seconds      end of this run
#   mediaserver_backup_last_success_timestamp_seconds  end of the last successful run (kept on fail)
#   mediaserver_backup_last_status                     1 = ok, 0 = failed
#   mediaserver_backup_duration_seconds                this run, from DUMP_ROOT/RUN_STARTED
#   mediaserver_backup_repository_size_bytes           deduplicated compressed size (borg info --json);
#                                                      the previous value is kept when borg info fails, so
#                                                      the series never switches to another measure
# Needs BORG_PASSPHRASE in the environment for `borg info` (the container has it from .env).
set -eu

# shellcheck source=SCRIPTDIR/textfile-metrics.sh
. "$(dirname "$0")/textfile-metrics.sh"

log() { printf 'post-backup: %s\n' "$*" >&2; }
usage() { log "usage: post-backup.sh finish|fail REPOSITORY DUMP_ROOT TEXTFILE_DIR RUN_STARTED ($*)"; exit 2; }

[ "$#" -eq 5 ] || usage "got $# arguments"
STATE=$1
REPOSITORY=$2
DUMP_ROOT=$3
TEXTFILE_DIR=$4
RUN_STARTED=$5
PROM="$TEXTFILE_DIR/mediaserver_backup.prom"

case "$STATE" in
  finish) status=1 ;;
  fail) status=0 ;;
  *) usage "got '${STATE}'" ;;
esac

now=$(date +%s)

# Previous success timestamp: kept when this run failed (0 = never succeeded).
last_success=$(previous_value "$PROM" mediaserver_backup_last_success_timestamp_seconds)
: "${last_success:=0}"
[ "$status" -eq 1 ] && last_success=$now

duration=
if [ -r "$DUMP_ROOT/$RUN_STARTED" ]; then
  started=$(head -n 1 "$DUMP_ROOT/$RUN_STARTED")
  case "$started" in '' | *[!0-9]*) ;; *) [ "$started" -le "$now" ] && duration=$((now - started)) ;; esac
fi

# Previous size: kept when borg info fails (wrong passphrase, lock timeout), never replaced by another measure.
size=$(previous_value "$PROM" mediaserver_backup_repository_size_bytes)
size_source=previous
if [ -f "$REPOSITORY/config" ]; then
  if info=$(BORG_RELOCATED_REPO_ACCESS_IS_OK=yes timeout "${POST_BACKUP_INFO_TIMEOUT:-300}" \
              borg info --json --lock-wait 60 "$REPOSITORY" 2>/dev/null); then
    fresh=$(printf '%s' "$info" | python3 -c \
      'import json,sys; print(int(json.load(sys.stdin)["cache"]["stats"]["unique_csize"]))' 2>/dev/null) || fresh=
    case "$fresh" in '' | *[!0-9]*) ;; *) size=$fresh; size_source="borg info" ;; esac
  fi
  [ "$size_source" = "borg info" ] || log "borg info failed; repository size metric keeps its previous value"
else
  log "no Borg repository at $REPOSITORY; repository size metric keeps its previous value"
fi

mkdir -p "$TEXTFILE_DIR"
tmp=$(mktemp "$TEXTFILE_DIR/.mediaserver_backup.prom.XXXXXX")
trap 'rm -f "$tmp"' EXIT
{
  echo "# HELP mediaserver_backup_last_run_timestamp_seconds Unix time the last borgmatic backup run ended (success or failure)."
  echo "# TYPE mediaserver_backup_last_run_timestamp_seconds gauge"
  echo "mediaserver_backup_last_run_timestamp_seconds $now"
  echo "# HELP mediaserver_backup_last_success_timestamp_seconds Unix time the last successful borgmatic backup run ended (0 = never)."
  echo "# TYPE mediaserver_backup_last_success_timestamp_seconds gauge"
  echo "mediaserver_backup_last_success_timestamp_seconds $last_success"
  echo "# HELP mediaserver_backup_last_status Result of the last borgmatic backup run (1 = ok, 0 = failed)."
  echo "# TYPE mediaserver_backup_last_status gauge"
  echo "mediaserver_backup_last_status $status"
  if [ -n "$duration" ]; then
    echo "# HELP mediaserver_backup_duration_seconds Wall-clock duration of the last borgmatic backup run."
    echo "# TYPE mediaserver_backup_duration_seconds gauge"
    echo "mediaserver_backup_duration_seconds $duration"
  fi
  if [ -n "$size" ]; then
    echo "# HELP mediaserver_backup_repository_size_bytes Deduplicated compressed size of the Borg repository (borg info unique_csize)."
    echo "# TYPE mediaserver_backup_repository_size_bytes gauge"
    echo "mediaserver_backup_repository_size_bytes $size"
  fi
} >"$tmp"
chmod 0644 "$tmp"
mv -f "$tmp" "$PROM"
trap - EXIT
log "state=$STATE status=$status duration=${duration:-n/a}s size=${size:-n/a} (${size_source}) -> $PROM"
