#!/bin/sh
# Rendered to backup/ by `mediaserver render` from Sources/MediaStackRendering/Scripts/backup/restore-dumps.sh.
# restore-dumps.sh MANIFEST TARGET_CONFIG_ROOT
#
# Second step of a restore. After `borgmatic extract --archive <name> --destination /restore`,
# the archive holds two trees:
#   <dest>/mnt/source/<service>/...     app config WITHOUT the live SQLite files (they were excluded)
#   <dest>/mnt/borg-dumps/<service>/... consistent copies of those databases + their manifest
# MANIFEST is that manifest (<dest>/mnt/borg-dumps/MANIFEST.tsv); the copies are beside it.
# The copies use the same relative path as the live file, so restoring means: copy every file
# listed in MANIFEST from the dump tree to the same relative path in the config tree,
# after deleting any -wal/-shm/-journal left there (they belong to another database state).
# Each copy is checked against the sha256 recorded at backup time and with PRAGMA integrity_check.
# `mediaserver backup restore-drill` runs it on every drill; docs/restore.md has the full restore.
# Stop the apps first. Example (host side, apps stopped):
#   sh backup/restore-dumps.sh /restore/mnt/borg-dumps/MANIFEST.tsv /restore/mnt/source && rsync -a /restore/mnt/source/ /opt/mediaserver/
set -eu

MANIFEST=${1:?usage: restore-dumps.sh MANIFEST TARGET_CONFIG_ROOT}
TARGET=${2:?usage: restore-dumps.sh MANIFEST TARGET_CONFIG_ROOT}
[ -f "$MANIFEST" ] || {
  echo "restore-dumps: $MANIFEST not found (give the manifest of the extracted dump folder, e.g. <dest>/mnt/borg-dumps/MANIFEST.tsv)" >&2
  exit 2
}

exec python3 "$(dirname "$0")/restore-dumps.py" "$MANIFEST" "$TARGET"
