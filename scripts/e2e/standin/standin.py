#!/usr/bin/env python3
"""Stand-in for an app image that cannot run here (no registry).

HTTP mode (STANDIN_PORT set): answers 200 on every path and method, on STANDIN_BIND:STANDIN_PORT.
  - STANDIN_HEALTH_PATH (with its query string) answers STANDIN_HEALTH_BODY (default {"status":"OK"}).
  - /metrics answers Prometheus text format (standin_up 1), so a scrape job on it is "up".
  - anything else answers a small JSON document naming the image and the path.
Sleep mode (STANDIN_PORT empty or 0): sleeps until SIGTERM/SIGINT.
STANDIN_DAEMONS: programs (stubs) started in the background at start, so a healthcheck such as
`pgrep -x crond` finds a process of that name.
Arguments (a compose `command:` written for the real image) are ignored.
Apps that `mediaserver wire` calls (Sonarr, Radarr, Prowlarr, Jellyfin, Seerr) are served by their stateful contract
fake (fakes.py) instead, which also answers their health paths; the fakes take their API key from the environment the
real app reads (SONARR__AUTH__APIKEY, …; Seerr: API_KEY). Seerr's keeps its state in /app/config, as Seerr does.
Authelia is served by the contract fake of its forward-auth endpoint (front_door_lab.py, the one the Swift front-door
test runs), its portal URL read from the rendered /config/configuration.yml; `authelia crypto hash generate argon2`
(what `mediaserver up` runs in the image for the first user) is answered by authelia_hash.py.
The other stand-ins echo the Remote-User header they received, so a test sees what the proxy forwarded.
"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler

import fixture_server  # scripts/fixtures/fixture_server.py, beside this file in the image

IMAGE = os.environ.get("STANDIN_IMAGE", "standin")
PORT = os.environ.get("STANDIN_PORT", "").strip()
BIND = os.environ.get("STANDIN_BIND", "0.0.0.0").strip() or "0.0.0.0"
HEALTH = os.environ.get("STANDIN_HEALTH_PATH", "/").strip() or "/"
HEALTH_BODY = os.environ.get("STANDIN_HEALTH_BODY", '{"status":"OK"}')
QUIET = os.environ.get("STANDIN_QUIET", "1") == "1"


def log(msg):
    print(f"standin[{IMAGE}] {msg}", file=sys.stderr, flush=True)


def fake_app(image):
    """The app whose contract fake stands in for `image` (lscr.io/linuxserver/sonarr:…, jellyfin/jellyfin:…)."""
    repository = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
    name = repository.rsplit("/", 1)[-1]
    return name if name in ("sonarr", "radarr", "prowlarr", "jellyfin", "seerr", "authelia") else None


def authelia_portal(config="/config/configuration.yml"):
    """`session.cookies[].authelia_url` of the rendered configuration (one cookie domain), without a YAML parser."""
    with open(config, encoding="utf-8") as f:
        for line in f:
            key, _, value = line.strip().lstrip("- ").partition(":")
            if key == "authelia_url":
                return value.strip().strip("'\"")
    sys.exit(f"standin[{IMAGE}]: {config} names no session.cookies[].authelia_url")


def authelia_command(args):
    """`authelia crypto hash generate argon2 … --random.length N`: the digest of a random password, as the real CLI
    prints it (authelia_hash.py); None when `args` is not that command."""
    if args[:5] != ["authelia", "crypto", "hash", "generate", "argon2"] or "--random" not in args:
        return None
    length = args[args.index("--random.length") + 1] if "--random.length" in args else "72"
    here = os.path.dirname(os.path.abspath(__file__))
    return ["/usr/bin/python3", os.path.join(here, "authelia_hash.py"), "generate", length]


class Handler(BaseHTTPRequestHandler):
    server_version = "standin/1"
    protocol_version = "HTTP/1.1"

    def _answer(self, with_body=True):
        path_only = self.path.split("?", 1)[0]
        if self.path == HEALTH or path_only == HEALTH:
            body, ctype = HEALTH_BODY.encode(), "application/json"
        elif path_only == "/metrics":
            body = f'# TYPE standin_up gauge\nstandin_up{{image="{IMAGE}"}} 1\n'.encode()
            ctype = "text/plain; version=0.0.4"
        else:
            body = json.dumps(
                {"standin": IMAGE, "path": self.path, "remote_user": self.headers.get("Remote-User")}
            ).encode()
            ctype = "application/json"
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def do_GET(self):
        self._answer()

    def do_HEAD(self):
        self._answer(with_body=False)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def log_message(self, fmt, *args):
        if not QUIET:
            log(fmt % args)


def main():
    # PID 1 ignores signals without a handler: install one so `docker stop` is immediate.
    stop = fixture_server.stop_event(lambda signum: log(f"signal {signum}, exiting"))

    import subprocess  # only needed for daemons and commands

    app = fake_app(IMAGE)
    command = authelia_command(sys.argv[1:]) if app == "authelia" else None
    if command:
        return subprocess.call(command)

    for daemon in os.environ.get("STANDIN_DAEMONS", "").split():
        subprocess.Popen([daemon], stdin=subprocess.DEVNULL)
        log(f"started daemon {daemon}")

    if PORT in ("", "0"):
        log("no port: sleeping (non-HTTP stand-in)")
        stop.wait()
        return 0

    handler = Handler
    if app == "authelia":
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import front_door_lab

        handler = front_door_lab.authelia_handler(authelia_portal())
        log("serving the contract fake of Authelia's forward-auth endpoint")
    elif app:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import fakes

        # Servarr reads <APP>__AUTH__APIKEY; Seerr reads API_KEY (server/lib/settings/index.ts).
        key = os.environ.get("API_KEY" if app == "seerr" else f"{app.upper()}__AUTH__APIKEY")
        # Seerr keeps its settings in /app/config (settings.json, db/), the volume the stack mounts there: the fake
        # keeps what Seerr keeps, so a restarted container answers as the real one does.
        config_dir = "/app/config" if app == "seerr" and os.access("/app/config", os.W_OK) else None
        if app == "seerr" and not config_dir:
            log("/app/config is not a writable folder: Seerr's settings last only until the container stops")
        handler = fakes.make_handler(fakes.make_fake(app, key, config_dir=config_dir), QUIET)
        log(f"serving the contract fake of {app}")
    httpd = fixture_server.bind(BIND, int(PORT), handler)
    log(f"listening on {BIND}:{PORT}, health path {HEALTH}")
    fixture_server.serve_until(stop, [httpd])
    return 0


if __name__ == "__main__":
    sys.exit(main())
