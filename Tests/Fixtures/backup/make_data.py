#!/usr/bin/env python3
"""make_data.py ROOT [BIG_MIB]: a config root like ${CONFIG_ROOT} for the backup tests.

One folder per service in the catalog's layout, with what each app keeps: settings files, SQLite databases
(WAL and rollback-journal), regenerable data the excludes must leave out, a non-SQLite *.db, a symlink, a
CACHEDIR.TAG folder, and one incompressible file of BIG_MIB MiB so a backup runs long enough to be killed.
Disabled services (overseerr, filebrowser in the tests' .env) get no folder.
"""
import os
import random
import sqlite3
import sys

root = sys.argv[1]
big_mib = int(sys.argv[2]) if len(sys.argv) > 2 else 32
rnd = random.Random(42)


def f(rel, data=None, size=0, mode=0o644):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data if data is not None else rnd.randbytes(size))
    os.chmod(path, mode)


def db(rel, mode="wal", rows=1500):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    con = sqlite3.connect(path)
    con.execute(f"pragma journal_mode={mode}")
    con.execute("create table if not exists series(id integer primary key, title text, blob blob)")
    con.execute("create table if not exists episodes(id integer primary key, series_id integer, n integer)")
    with con:
        for i in range(rows):
            cur = con.execute("insert into series(title, blob) values(?, randomblob(800))", (f"s{i}",))
            con.execute("insert into episodes(series_id, n) values(?, ?)", (cur.lastrowid, i))
    con.close()


P = "plex/config/Library/Application Support/Plex Media Server"
# Jellyfin (official image: /config and /cache)
f("jellyfin/config/config/system.xml", b"<ServerConfiguration/>\n")
f("jellyfin/config/plugins/configurations/Jellyfin.Plugin.Foo.xml", b"<x/>\n")
f("jellyfin/config/metadata/library/ab/abcdef/poster.jpg", size=40_000)
f("jellyfin/config/log/log_20261125.log", b"log\n")
f("jellyfin/config/data/transcodes/abc123.ts", size=50_000)
f("jellyfin/config/data/Thumbs.db", b"not an sqlite file\n")
db("jellyfin/config/data/library.db")
db("jellyfin/config/data/jellyfin.db", rows=300)
f("jellyfin/cache/images/resized/x.webp", size=20_000)
# Plex (linuxserver image: /config/Library/...)
f(f"{P}/Preferences.xml", b'<Preferences PlexOnlineToken="x"/>\n', mode=0o600)
db(f"{P}/Plug-in Support/Databases/com.plexapp.plugins.library.db", rows=3000)
db(f"{P}/Plug-in Support/Databases/com.plexapp.plugins.library.db-2026-11-20", mode="delete", rows=10)
f(f"{P}/Plug-in Support/Caches/x.dat", size=1000)
f(f"{P}/Cache/PhotoTranscoder/a.jpg", size=10_000)
f(f"{P}/Codecs/libhevc.so", size=10_000)
f(f"{P}/Logs/Plex Media Server.log", b"log\n")
f(f"{P}/Media/localhost/0/abc.bundle/Contents/Indexes/index-sd.bif", size=100_000)
f(f"{P}/Metadata/Movies/1/abc.bundle/Contents/_combined/posters/p.jpg", size=30_000)
f(f"{P}/Metadata/Movies/1/abc.bundle/Contents/big.bin", size=big_mib << 20)
f("plex/transcode/Transcode/Sessions/x.ts", size=10_000)
# Seerr (jellyseerr only; overseerr is disabled)
f("jellyseerr/settings.json", b'{"main":{"apiKey":"k"}}\n', mode=0o600)
db("jellyseerr/db/db.sqlite3")
f("jellyseerr/logs/seerr.log", b"log\n")
f("jellyseerr/cache/images/x.jpg", size=5000)
# Tautulli
f("tautulli/config.ini", b"[General]\n")
db("tautulli/tautulli.db", rows=2000)
db("tautulli/backups/tautulli.backup-20261120.sched.db", mode="delete", rows=10)
f("tautulli/cache/images/x.png", size=1000)
f("tautulli/logs/tautulli.log", b"log\n")
# Sonarr, Radarr, Prowlarr
for s in ("sonarr", "radarr", "prowlarr"):
    f(f"{s}/config.xml", b"<Config><ApiKey>0123</ApiKey></Config>\n", mode=0o600)
    db(f"{s}/{s}.db", rows=2000)
    db(f"{s}/logs.db", mode="delete", rows=300)
    f(f"{s}/asp/key-1.xml", b"<key/>\n")
    f(f"{s}/logs/{s}.txt", b"log\n")
    f(f"{s}/Backups/scheduled/{s}_backup.zip", size=20_000)
    f(f"{s}/Sentry/x", b"x")
    f(f"{s}/UpdateLogs/u.txt", b"x")
    if s != "prowlarr":
        f(f"{s}/MediaCover/1/poster.jpg", size=20_000)
f("prowlarr/Definitions/Custom/myindexer.yml", b"id: mine\n")
os.symlink("config.xml", os.path.join(root, "sonarr/config-link.xml"))
# SABnzbd
f("sabnzbd/sabnzbd.ini", b"[misc]\n", mode=0o600)
db("sabnzbd/admin/history1.db", mode="delete")
f("sabnzbd/admin/queue10.sab", size=500)
f("sabnzbd/logs/sabnzbd.log", b"log\n")
f("sabnzbd/Downloads/incomplete/x.part", size=2000)
# Bazarr
f("bazarr/config/config.yaml", b"general: {}\n")
db("bazarr/db/bazarr.db")
f("bazarr/log/bazarr.log", b"log\n")
f("bazarr/cache/subliminal.dbm", size=100)
f("bazarr/backup/b.zip", size=100)
# borgmatic's own state (its cache is excluded), rclone's config, Grafana
f("borgmatic/borg-config/security/x/key-type", b"blake2\n")
f("borgmatic/borg-config/keys/mnt_borg_repository", b"BORG_KEY 0123\n", mode=0o600)
f("borgmatic/borg-cache/x/chunks", size=3000)
f("borgmatic/state/checks/x", b"2026-11-25\n")
f("rclone/rclone.conf", b"[offsite]\ntype = sftp\n", mode=0o600)
db("grafana/grafana.db", rows=200)
f("grafana/png/x.png", size=1000)
f("grafana/plugins/p/plugin.json", b"{}\n")
# Alertmanager: silences are kept, the notification log is regenerable
f("alertmanager/data/silences", size=200)
f("alertmanager/data/nflog", size=200)
# A folder tagged as a cache (exclude_caches) and scratch files the general excludes leave out
f("grafana/plugins/cached/CACHEDIR.TAG", b"Signature: 8a477f597d28d172789f06886806bc55\n")
f("grafana/plugins/cached/blob", size=500)
f("sonarr/sonarr.pid", b"123\n")
f("radarr/upgrade.tmp", b"x")
