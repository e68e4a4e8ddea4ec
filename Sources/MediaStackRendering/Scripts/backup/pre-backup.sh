#!/bin/sh
# Rendered to backup/ by `mediaserver render` from Sources/MediaStackRendering/Scripts/backup/pre-backup.sh.
# pre-backup.sh SOURCE_ROOT DUMP_ROOT MANIFEST LIVE_EXCLUDES RUN_STARTED [BORG_CREATE_OPTION...]
#
# borgmatic `before: action` hook of create runs (backup/config/config.yaml, which passes every argument). For
# every SQLite database under SOURCE_ROOT that `borg create` would archive, pre-backup.py (beside this file) makes
# a consistent online copy with SQLite's backup API, verifies it with PRAGMA integrity_check and stores it at
# DUMP_ROOT/<same relative path>. Borg then archives DUMP_ROOT instead of the live files, which may be
# mid-transaction.
#
# MANIFEST, LIVE_EXCLUDES and RUN_STARTED are the names of the files it writes in DUMP_ROOT (config.yaml passes
# them: `mediaserver` reads the first two, post-backup.sh the third, by the same names). BORG_CREATE_OPTIONS are the
# options that select what create archives (--exclude-from FILE, --exclude-caches, --one-file-system):
# `borg create --dry-run --list` with them says which files Borg would archive, so a database under an excluded
# path is skipped exactly as Borg skips it.
#
# Outputs in DUMP_ROOT (all archived):
#   <service>/<path>/<name>.db   consistent copies, owner/mode/mtime of the source
#   MANIFEST                     relative path, bytes, sha256, integrity result, source mtime
#   LIVE_EXCLUDES                "pp:" patterns for each copied live file plus its -wal/-shm/-journal;
#                                config.yaml lists it in exclude_from, so only the copy is archived
#   RUN_STARTED                  epoch seconds, read by post-backup.sh for the duration metric
#
# Restore: extract the archive, then copy DUMP_ROOT/<rel> over SOURCE_ROOT/<rel> for every line of
# MANIFEST (same relative path): restore-dumps.sh. No -wal/-shm files belong next to a restored copy.
#
# Databases are found by name (*.db, *.sqlite, *.sqlite3, *.db3) and confirmed by the SQLite header.
# Exit status: 0 = all copies verified; 1 = at least one database failed (each one is named on
# stderr as "pre-backup: FAILED <relative path>: <reason>"); 2 = usage / missing source root / borg failed.
set -eu

[ "$#" -ge 5 ] || {
  echo "usage: pre-backup.sh SOURCE_ROOT DUMP_ROOT MANIFEST LIVE_EXCLUDES RUN_STARTED [BORG_CREATE_OPTION...]" >&2
  exit 2
}

exec python3 "$(dirname "$0")/pre-backup.py" "$@"
