# Rendered to backup/ by `mediaserver render` from Sources/MediaStackRendering/Scripts/backup/restore-dumps.py.
# restore-dumps.py MANIFEST TARGET_CONFIG_ROOT, run by restore-dumps.sh (beside it), which says what
# a restore does. Exit status: 0 = every copy restored and checked; 1 = at least one failed (named on stderr).
import hashlib
import os
import shutil
import sqlite3
import sys

COMPANIONS = ("-wal", "-shm", "-journal")


def sha256(path):
    # hashlib.file_digest: Python 3.11+ (Debian 12 has 3.11; the borgmatic 2.1.7 image is python:3.14-alpine,
    # borgmatic-collective/docker-borgmatic Dockerfile).
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def restore(dumps, target, rel, digest):
    """Copies one database back; returns None when it is restored and checked, else the reason it is not."""
    src, dst = os.path.join(dumps, rel), os.path.join(target, rel)
    if sha256(src) != digest:
        return "sha256 mismatch"
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    for suffix in COMPANIONS:
        if os.path.exists(dst + suffix):
            os.unlink(dst + suffix)
    shutil.copy2(src, dst)
    st = os.stat(src)
    try:
        os.chown(dst, st.st_uid, st.st_gid)
    except PermissionError:
        pass
    con = sqlite3.connect(dst)
    result = con.execute("PRAGMA integrity_check").fetchall()
    con.close()
    if result != [("ok",)]:
        return f"integrity_check {result[:3]}"
    return None


def main(manifest, target):
    # The copies are beside their manifest, at the relative paths it lists.
    dumps = os.path.dirname(os.path.abspath(manifest))
    bad = 0
    with open(manifest, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            rel, _size, digest, _integrity, _mtime = line.rstrip("\n").split("\t")
            failure = restore(dumps, target, rel, digest)
            if failure:
                print(f"restore-dumps: FAILED {rel}: {failure}", file=sys.stderr)
                bad += 1
            else:
                print(f"restore-dumps: restored {rel}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
