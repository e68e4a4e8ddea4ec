#!/usr/bin/env python3
"""writer.py ROOT STOP_FILE: keeps committing transactions to the test databases until STOP_FILE exists.

Each transaction inserts one `series` row and one matching `episodes` row, so a consistent copy always has
count(series) == count(episodes). WAL and rollback-journal databases are both written.
"""
import os
import sqlite3
import sys
import time

root, stop = sys.argv[1], sys.argv[2]
paths = [
    "sonarr/sonarr.db", "radarr/radarr.db", "prowlarr/prowlarr.db", "sonarr/logs.db", "tautulli/tautulli.db",
    "jellyseerr/db/db.sqlite3", "sabnzbd/admin/history1.db", "jellyfin/config/data/library.db",
    "plex/config/Library/Application Support/Plex Media Server/Plug-in Support/Databases/"
    "com.plexapp.plugins.library.db",
]
connections = [sqlite3.connect(os.path.join(root, p), timeout=60) for p in paths]
rounds = 0
print("writing", flush=True)
while not os.path.exists(stop):
    for con in connections:
        with con:
            cur = con.execute("insert into series(title, blob) values('w', randomblob(400))")
            con.execute("insert into episodes(series_id, n) values(?, ?)", (cur.lastrowid, rounds))
    rounds += 1
    time.sleep(0.02)
print(f"stopped after {rounds} rounds", flush=True)
