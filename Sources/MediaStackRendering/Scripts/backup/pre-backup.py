# Rendered to backup/ by `mediaserver render` from Sources/MediaStackRendering/Scripts/backup/pre-backup.py.
# pre-backup.py SOURCE_ROOT DUMP_ROOT MANIFEST LIVE_EXCLUDES RUN_STARTED [BORG_CREATE_OPTION...], run by
# pre-backup.sh (beside it), which says what it makes and how its outputs are used.
import fnmatch
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.parse

source_root = os.path.abspath(sys.argv[1])
dump_root = os.path.abspath(sys.argv[2])
# The names of the three files written in dump_root; config.yaml passes them, as mediaserver names them.
manifest_name, live_excludes_name, run_started_name = sys.argv[3], sys.argv[4], sys.argv[5]
borg_options = sys.argv[6:]
NAME_GLOBS = ("*.db", "*.sqlite", "*.sqlite3", "*.db3")
SQLITE_MAGIC = b"SQLite format 3\x00"
COMPANIONS = ("-wal", "-shm", "-journal")
BUSY_TIMEOUT = float(os.environ.get("PRE_BACKUP_BUSY_TIMEOUT", "60"))
ATTEMPTS = int(os.environ.get("PRE_BACKUP_ATTEMPTS", "3"))


def log(msg):
    print(f"pre-backup: {msg}", file=sys.stderr, flush=True)


def die(msg, code=2):
    log(msg)
    sys.exit(code)


if not os.path.isdir(source_root):
    die(f"source root {source_root} does not exist or is not a directory (is CONFIG_ROOT mounted?)")
for name in (manifest_name, live_excludes_name, run_started_name):
    if name in ("", ".", "..") or "/" in name:
        die(f"refusing output file name {name!r}: it must be a plain file name in the dump root")
if len({manifest_name, live_excludes_name, run_started_name}) < 3:
    die("refusing output file names: the manifest, the live-database excludes and the start time need three names,"
        f" not {manifest_name!r}, {live_excludes_name!r}, {run_started_name!r}")
if dump_root in ("/", source_root) or dump_root.startswith(source_root + os.sep):
    die(f"refusing dump root {dump_root}: it must be a separate directory outside {source_root}")


# ---- what borg create would archive ------------------------------------------------------------
def has_database_name(path):
    return any(fnmatch.fnmatchcase(os.path.basename(path), g) for g in NAME_GLOBS)


def archived_databases():
    """The paths with a database's name (NAME_GLOBS) under source_root that `borg create` with borg_options would
    archive.

    Borg itself decides (a dry run lists every item without a repository), so a database under an excluded folder,
    a CACHEDIR.TAG folder or another file system is skipped exactly as the archive skips it. `--log-json` makes each
    listed path a JSON string, so any file name survives. Only database names are kept, so memory does not grow
    with the number of files (a Plex metadata folder holds hundreds of thousands), and a listed file is decoded only
    when its line holds ".db" or ".sqlite", which every such name contains (borg 1.4.5 src/borg/archiver.py
    `print_file_status` writes `json.dumps({'type': 'file_status', ...})`, which escapes no ASCII letter or dot).
    """
    # A dry run never opens the repository (borg 1.4.5 src/borg/archiver.py: do_create is
    # `with_repository(fake="dry_run")`): the name only has to parse, and one that cannot exist keeps this run
    # apart from the real create in a process list.
    command = ["borg", "create", "--dry-run", "--list", "--log-json", *borg_options,
               "/dev/null/no-repository::pre-backup", source_root]
    try:
        borg = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True, errors="surrogateescape")
    except OSError as err:
        die(f"cannot run borg: {err}")
    paths = []
    for line in borg.stderr:
        if '"file_status"' in line and ".db" not in line and ".sqlite" not in line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            log(f"borg: {line.rstrip()}")
            continue
        if entry.get("type") == "file_status":
            path = entry.get("path", "")
            if entry.get("status") != "x" and has_database_name(path):
                paths.append(path)
        elif entry.get("message"):
            log(f"borg: {entry['message']}")
    # 1 = warnings (an unreadable folder, a file that vanished): logged above, the rest is still listed.
    if borg.wait() not in (0, 1):
        die(f"borg create --dry-run failed (exit {borg.returncode}): {' '.join(command)}")
    return sorted(paths)


started = int(time.time())
candidates = archived_databases()

# ---- prepare the dump root --------------------------------------------------------------------
os.makedirs(dump_root, exist_ok=True)
for entry in os.listdir(dump_root):  # stale dumps of deleted databases must not linger
    path = os.path.join(dump_root, entry)
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        os.unlink(path)
with open(os.path.join(dump_root, run_started_name), "w") as fh:
    fh.write(f"{started}\n")


def is_sqlite(path):
    try:
        with open(path, "rb") as fh:
            return fh.read(16) == SQLITE_MAGIC
    except OSError:
        return False


def find_databases(paths):
    for path in paths:
        if os.path.islink(path) or not os.path.isfile(path):
            continue
        if is_sqlite(path):
            yield path
        else:
            log(f"note: {os.path.relpath(path, source_root)} is not an SQLite file; Borg archives it as is")


def copy_database(src, dst):
    """Online backup of src into dst (a new file); returns the integrity_check result."""
    uri = "file:" + urllib.parse.quote(src) + "?mode=ro"
    try:
        source = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT)
        source.execute("PRAGMA schema_version").fetchone()
    except sqlite3.OperationalError:
        # A WAL database whose app is stopped has no -wal/-shm files, and a read-only source mount
        # cannot create the -shm a read needs. With no -wal file no connection is writing it, so the
        # file as it is on disk is consistent: read it immutable.
        if os.path.exists(src + "-wal"):
            raise
        source = sqlite3.connect(uri + "&immutable=1", uri=True, timeout=BUSY_TIMEOUT)
    try:
        target = sqlite3.connect(dst)
        try:
            # pages=-1: one step under one read transaction, so a concurrent writer cannot
            # force restarts and the copy is a single point-in-time snapshot.
            source.backup(target, pages=-1)
            rows = target.execute("PRAGMA integrity_check(20)").fetchall()
        finally:
            target.close()
    finally:
        source.close()
    if rows == [("ok",)]:
        return "ok"
    problems = [p for r in rows for p in str(r[0]).splitlines() if p.strip()]
    more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
    return "integrity_check: " + "; ".join(problems[:3]) + more


def sha256(path):
    # hashlib.file_digest: Python 3.11+ (Debian 12 has 3.11; the borgmatic 2.1.7 image is python:3.14-alpine,
    # borgmatic-collective/docker-borgmatic Dockerfile).
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


manifest, exclude_lines, failures = [], [], []
count = 0
for src in find_databases(candidates):
    count += 1
    rel = os.path.relpath(src, source_root)
    dst = os.path.join(dump_root, rel)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    tmp = f"{dst}.partial-{os.getpid()}"
    t0 = time.monotonic()
    result = None
    for attempt in range(1, ATTEMPTS + 1):
        for leftover in [tmp] + [tmp + c for c in COMPANIONS]:
            if os.path.exists(leftover):
                os.unlink(leftover)
        try:
            result = copy_database(src, tmp)
            break
        except sqlite3.Error as err:
            result = f"{type(err).__name__}: {err}"
            if attempt < ATTEMPTS:
                log(f"retrying {rel} (attempt {attempt}/{ATTEMPTS}): {result}")
                time.sleep(2 * attempt)
    if result != "ok":
        failures.append(rel)
        log(f"FAILED {rel}: {result}")
        for leftover in [tmp] + [tmp + c for c in COMPANIONS]:
            if os.path.exists(leftover):
                os.unlink(leftover)
        continue
    st = os.stat(src)
    try:
        os.chown(tmp, st.st_uid, st.st_gid)
    except PermissionError:
        pass
    os.chmod(tmp, st.st_mode & 0o7777)
    os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(tmp, dst)
    size = os.path.getsize(dst)
    manifest.append(f"{rel}\t{size}\t{sha256(dst)}\tok\t{int(st.st_mtime)}")
    exclude_lines += [f"pp:{src}"] + [f"pp:{src}{c}" for c in COMPANIONS]
    log(f"copied {rel} ({size} bytes, integrity ok, {time.monotonic() - t0:.2f}s)")


def write_atomic(name, lines):
    path = os.path.join(dump_root, name)
    with open(path + ".partial", "w", encoding="utf-8") as fh:
        fh.write("".join(line + "\n" for line in lines))
    os.replace(path + ".partial", path)


write_atomic(manifest_name, ["# path\tbytes\tsha256\tintegrity\tsource_mtime"] + manifest)
write_atomic(live_excludes_name,
             ["# generated by pre-backup.sh: live files replaced by the copies in this directory"]
             + exclude_lines)

if failures:
    die(f"{len(failures)} of {count} database(s) failed: {', '.join(failures)}; aborting the backup", 1)
log(f"{count} database(s) copied and verified into {dump_root} in {int(time.time()) - started}s")
