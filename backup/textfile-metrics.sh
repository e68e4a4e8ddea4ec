# shellcheck shell=sh
# Rendered to backup/ by `mediaserver render` from Sources/MediaStackRendering/Scripts/backup/textfile-metrics.sh.
# Sourced by post-backup.sh and offsite.sh (beside it), which write node_exporter textfile metrics.

# previous_value FILE METRIC — prints the last value FILE holds for METRIC when it is a whole number, and nothing
# otherwise (no file, no sample, anything else), so a series keeps its value across runs and never gets a bad one.
previous_value() {
  [ -r "$1" ] || return 0
  previous=$(awk -v name="$2" '$1 == name { print $2 }' "$1" | tail -n 1)
  case "$previous" in '' | *[!0-9]*) ;; *) printf '%s\n' "$previous" ;; esac
}
