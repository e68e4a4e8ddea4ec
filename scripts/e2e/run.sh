#!/usr/bin/env bash
# End-to-end test on a real Docker engine: the committed stack files, unmodified, driven by `mediaserver`.
#
#   scripts/e2e/run.sh            (root; installs docker.io, debootstrap and jq when missing)
#
# Starts a private dockerd (engine.sh), builds every image the stacks name from Debian packages (real Prometheus,
# Node Exporter and Blackbox Exporter; stand-ins for apps that cannot run here), then: `mediaserver up` brings
# both stacks up healthy, with the keys of .env seeded into the files SABnzbd, Bazarr and Tautulli read, and
# wires the apps (checked in the apps' contract fakes); a second `up` and a second `wire` change nothing;
# `mediaserver health` is all green; Prometheus inside
# the engine has every scrape target up by service name on media_net; a stopped container makes `health` name it
# and exit 1; `mediaserver down` leaves no container or network. The engine is stopped by its pid at the end.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=upgrade.sh
. "$HERE/upgrade.sh"

MS=${MEDIASERVER:-$REPO/.build/debug/mediaserver}
[[ -x $MS ]] || die "$MS is not built: run swift build first"
need_root
apt_install jq

WORK=$(mktemp -d /tmp/ms-e2e.XXXXXX)
CHECKOUT=$WORK/checkout
PASSED=0
FAILED=0
CREATED_DRI=0
ENGINE_STARTED=0

cleanup() {
  local rc=$?
  if ((ENGINE_STARTED)); then
    if ((rc != 0)); then
      log "failure: state of the containers"
      docker ps -a --format '{{.Names}}\t{{.Status}}' >&2 || true
    fi
    "$MS" down --root "$CHECKOUT" >/dev/null 2>&1 || true
    "$HERE/engine.sh" stop || true
  fi
  if ((CREATED_DRI)); then rm -rf /dev/dri; fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT

pass() {
  PASSED=$((PASSED + 1))
  log "PASS: $*"
}
fail() {
  FAILED=$((FAILED + 1))
  log "FAIL: $*"
}

# The committed files, copied unmodified: everything the last render recorded, plus its manifest.
mkdir -p "$CHECKOUT"
(cd "$REPO" && jq -r 'keys[]' .mediaserver-render.json | while read -r path; do
  cp --parents "$path" "$CHECKOUT/"
done && cp .mediaserver-render.json "$CHECKOUT/")

eval "$("$HERE/engine.sh" start)"
ENGINE_STARTED=1
export DOCKER_HOST

# Compose refuses a missing device; this machine has no GPU. A device node (the DRM major) stands in for it.
if [[ ! -e /dev/dri ]]; then
  mkdir -p /dev/dri && mknod /dev/dri/renderD128 c 226 128
  CREATED_DRI=1
fi
"$MS" init --root "$CHECKOUT" --yes --lan-ip 127.0.0.1 --puid 1000 --pgid 1000 \
  --config-root "$WORK/config" --data-root "$WORK/data" --backup-root "$WORK/backup"
# E-mail alerts on, so the real Alertmanager must read its SMTP password from the Compose secret file.
# (Debian's Alertmanager 0.25 cannot take Discord's webhook_url_file, which the pinned image reads.)
SMTP_SECRET=e2e-smtp-$RANDOM$RANDOM
sed -i -e 's/^ALERT_EMAIL_TO=.*/ALERT_EMAIL_TO=ops@example.com/' -e 's/^ALERT_SMTP_SMARTHOST=.*/ALERT_SMTP_SMARTHOST=127.0.0.1:25/' \
  -e 's/^ALERT_SMTP_FROM=.*/ALERT_SMTP_FROM=mediaserver@example.com/' -e 's/^ALERT_SMTP_USERNAME=.*/ALERT_SMTP_USERNAME=mediaserver/' \
  -e "s/^ALERT_SMTP_PASSWORD=.*/ALERT_SMTP_PASSWORD=$SMTP_SECRET/" "$CHECKOUT/.env"

# The committed compose files run unmodified: the render of the e2e .env (into the git-ignored deploy/, where `up`
# runs Compose) has the same compose files as the root (only files that follow the data paths, such as the disk
# alert rules, may differ).
"$MS" render --root "$CHECKOUT" >/dev/null
if cmp -s "$CHECKOUT/compose.yml" "$CHECKOUT/deploy/compose.yml" &&
  cmp -s "$CHECKOUT/homepage-stack.yml" "$CHECKOUT/deploy/homepage-stack.yml"; then
  pass "the committed compose files are the render of the e2e .env"
else
  fail "a render of the e2e .env changes the compose files: $(diff "$CHECKOUT/compose.yml" "$CHECKOUT/deploy/compose.yml" | head -5)"
fi
"$MS" services --json --root "$CHECKOUT" | jq -f "$HERE/manifest.jq" >"$WORK/manifest.json"
# Real borg and borgmatic for the backup container: wheels from the test tools' pip (its cache holds the borg build).
"$REPO/.tools/venv/bin/pip" wheel -q --disable-pip-version-check --wheel-dir "$WORK/wheels" \
  "$(grep -o '"borgbackup==[^"]*"' "$REPO/scripts/install-test-tools" | tr -d '"')" \
  "$(grep -o '"borgmatic==[^"]*"' "$REPO/scripts/install-test-tools" | tr -d '"')"
MS_E2E_WHEELS=$WORK/wheels MS_E2E_RCLONE=$(command -v rclone) "$HERE/build-images.sh" "$WORK/manifest.json"

if "$MS" doctor --root "$CHECKOUT" --json >"$WORK/doctor.json"; then :; fi
if jq -e '[.findings[] | select(.id == "docker-unreachable" or .id == "compose-missing")] | length == 0' "$WORK/doctor.json" >/dev/null; then
  pass "doctor sees the engine and Compose"
else
  fail "doctor: $(jq -c '.findings' "$WORK/doctor.json")"
fi

if "$MS" up --root "$CHECKOUT" --timeout 300; then pass "mediaserver up: both stacks healthy"; else fail "mediaserver up"; exit 1; fi
# Before the first start `up` wrote each key of .env into the file its app reads it from, readable by the app's
# user only (the keys are compared, never printed).
seeded=()
for pair in SABNZBD_API_KEY:sabnzbd/sabnzbd.ini BAZARR_API_KEY:bazarr/config/config.yaml \
  TAUTULLI_API_KEY:tautulli/config.ini; do
  key=${pair%%:*} file=$WORK/config/${pair#*:}
  value=$(sed -n "s/^$key=//p" "$CHECKOUT/.env")
  if [[ -n $value && -f $file ]] && grep -qF -- "$value" "$file" && [[ $(stat -c '%a %u' "$file") == "600 1000" ]]; then
    seeded+=("${pair#*:}")
  else
    fail "$file does not hold $key, or is not mode 600 and owned by the apps' user"
  fi
done
((${#seeded[@]} == 3)) && pass "up seeded the keys of .env into ${seeded[*]} (mode 600, the apps' user)"
before=$(docker ps -q --no-trunc | sort | xargs docker inspect --format '{{.Name}} {{.State.StartedAt}}')
"$MS" up --root "$CHECKOUT" --timeout 120 2>"$WORK/up2.log" || fail "second up: $(cat "$WORK/up2.log")"
after=$(docker ps -q --no-trunc | sort | xargs docker inspect --format '{{.Name}} {{.State.StartedAt}}')
if [[ $before == "$after" ]]; then pass "a second up changes nothing"; else fail "a second up restarted containers"; fi

if "$MS" health --root "$CHECKOUT" --json >"$WORK/health.json"; then
  pass "mediaserver health: all $(jq '.services | length' "$WORK/health.json") services up"
else
  fail "health: $(jq -c '[.services[] | select(.state != "up")]' "$WORK/health.json")"
fi

# Wiring: `up` connected the apps through their APIs. The stand-ins of Sonarr, Radarr, Prowlarr and Jellyfin are
# their stateful contract fakes (scripts/e2e/standin/fakes.py): every object is read back from their state with the
# keys in .env; a second `wire` changes nothing; Homepage's widget reads answer with the same keys.
envval() { sed -n "s/^$1=//p" "$CHECKOUT/.env" | tr -d '"'; }
SONARR_KEY=$(envval SONARR_API_KEY)
RADARR_KEY=$(envval RADARR_API_KEY)
PROWLARR_KEY=$(envval PROWLARR_API_KEY)
JELLYFIN_KEY=$(envval JELLYFIN_API_KEY)
arr() { curl -fsS -H "X-Api-Key: $1" "http://127.0.0.1:$2$3"; }
category() { jq -r --arg f "$1" '[.[] | select(.name == "SABnzbd") | .fields[] | select(.name == $f) | .value] | join(",")'; }
if [[ $(arr "$PROWLARR_KEY" 9696 /api/v1/applications | jq -c '[.[].name] | sort') == '["Radarr","Sonarr"]' &&
  $(arr "$SONARR_KEY" 8989 /api/v3/downloadclient | category tvCategory) == tv &&
  $(arr "$RADARR_KEY" 7878 /api/v3/downloadclient | category movieCategory) == movies &&
  $(arr "$SONARR_KEY" 8989 /api/v3/rootfolder | jq -c '[.[].path]') == '["/data/media/tv"]' &&
  $(arr "$RADARR_KEY" 7878 /api/v3/rootfolder | jq -c '[.[].path]') == '["/data/media/movies"]' && -n $JELLYFIN_KEY &&
  $(curl -fsS -H "Authorization: MediaBrowser Token=\"$JELLYFIN_KEY\"" http://127.0.0.1:8096/Library/VirtualFolders |
    jq -c '[.[].Name] | sort') == '["Movies","Shows"]' ]]; then
  pass "up wired Prowlarr → Sonarr/Radarr, Sonarr/Radarr → SABnzbd and root folders, Jellyfin's wizard, key and libraries"
else
  fail "wiring objects missing from the apps' state"
fi
# Jellyseerr signed in to Jellyfin (Seerr's fake calls Jellyfin's on media_net), enabled both libraries and got both
# *arr servers; Overseerr waits for a claimed Plex (the stand-in has no Preferences.xml).
JELLYSEERR_KEY=$(envval JELLYSEERR_API_KEY)
seerr() { curl -fsS -H "X-Api-Key: $JELLYSEERR_KEY" "http://127.0.0.1:5055/api/v1$1"; }
if [[ $(seerr /settings/jellyfin | jq -c '[.libraries[] | select(.enabled) | .name] | sort') == '["Movies","Shows"]' &&
  $(seerr /settings/sonarr | jq -r '[.[] | "\(.name) \(.hostname):\(.port) \(.activeDirectory)"] | join(",")') == "Sonarr sonarr:8989 /data/media/tv" &&
  $(seerr /settings/radarr | jq -r '[.[] | "\(.name) \(.hostname):\(.port) \(.activeDirectory)"] | join(",")') == "Radarr radarr:7878 /data/media/movies" &&
  $(curl -fsS http://127.0.0.1:5055/api/v1/settings/public | jq -r .initialized) == true ]]; then
  pass "Jellyseerr signed in to Jellyfin, enabled Movies and Shows, and has Sonarr and Radarr"
else
  fail "Jellyseerr's wiring: $(seerr /settings/jellyfin 2>&1 | head -c 300)"
fi
if "$MS" wire --root "$CHECKOUT" --json >"$WORK/wire2.json" && jq -e '.changed == false and .failed == []' "$WORK/wire2.json" >/dev/null; then
  pass "a second wire changes nothing"
else
  fail "second wire: $(jq -c '[.apps[] | select(.failure != null or any(.items[]; .done))]' "$WORK/wire2.json" 2>/dev/null)"
fi
if jq -e '.unwired == []' "$WORK/health.json" >/dev/null; then pass "health reports no unwired app"; else fail "health: $(jq -c .unwired "$WORK/health.json")"; fi
widgets_failed=""
for call in "8989 /api/v3/series $SONARR_KEY" "8989 /api/v3/queue $SONARR_KEY" "8989 /api/v3/wanted/missing $SONARR_KEY" \
  "8989 /api/v3/queue/details $SONARR_KEY" "7878 /api/v3/movie $RADARR_KEY" "7878 /api/v3/queue/status $RADARR_KEY" \
  "7878 /api/v3/queue/details $RADARR_KEY" "9696 /api/v1/indexer $PROWLARR_KEY" "9696 /api/v1/indexerstats $PROWLARR_KEY"; do
  read -r port path key <<<"$call"
  curl -fsS -o /dev/null "http://127.0.0.1:$port$path?apikey=$key" || widgets_failed+=" $port$path"
done
curl -fsS -o /dev/null -H "X-Api-Key: $JELLYSEERR_KEY" http://127.0.0.1:5055/api/v1/request/count || widgets_failed+=" 5055/api/v1/request/count"
for path in /emby/Sessions /emby/Items/Counts; do
  curl -fsS -o /dev/null "http://127.0.0.1:8096$path?api_key=$JELLYFIN_KEY" || widgets_failed+=" 8096$path"
done
if [[ -z $widgets_failed ]]; then
  pass "Homepage's Sonarr, Radarr, Prowlarr, Jellyfin and Jellyseerr widget reads answer with the keys in .env"
else
  fail "widget reads refused:$widgets_failed"
fi

# Prometheus, inside the engine, scrapes every target by service name on media_net.
targets=""
for _ in $(seq 1 60); do
  targets=$(curl -fsS http://127.0.0.1:9090/api/v1/targets || true)
  if [[ -n $targets ]] && jq -e '.data.activeTargets | length > 0 and all(.health == "up")' <<<"$targets" >/dev/null; then break; fi
  sleep 3
done
if jq -e '.data.activeTargets | length > 0 and all(.health == "up")' <<<"$targets" >/dev/null; then
  pass "Prometheus: $(jq '.data.activeTargets | length' <<<"$targets") targets up ($(jq -r '[.data.activeTargets[].scrapePool] | unique | join(", ")' <<<"$targets"))"
else
  fail "Prometheus targets: $(jq -c '[.data.activeTargets[]? | select(.health != "up") | {scrapePool, scrapeUrl, lastError}]' <<<"$targets")"
fi
# Node Exporter runs on the host network (host metrics), reached through the host gateway; the others by name.
if jq -e '[.data.activeTargets[].scrapeUrl] | any(test("//host.docker.internal:9100/")) and any(test("//cadvisor:8080/"))' <<<"$targets" >/dev/null; then
  pass "Prometheus reaches Node Exporter through the host gateway and the other exporters by service name"
else
  fail "no scrape URL by service name: $(jq -c '[.data.activeTargets[].scrapeUrl]' <<<"$targets")"
fi

# Node Exporter reads the host's network namespace: its interfaces are the host's, not one container veth.
# (Read into a variable first: `curl | grep -q` fails under pipefail when grep stops reading early.)
nic=$(ip -o route get 1.1.1.1 2>/dev/null | sed -n 's/.* dev \([^ ]*\).*/\1/p')
node_metrics=$(curl -fsS http://127.0.0.1:9100/metrics || true)
if [[ -n $nic ]] && grep -q "^node_network_up{device=\"$nic\"}" <<<"$node_metrics"; then
  pass "Node Exporter reports the host's own network interface"
else
  fail "Node Exporter does not report the host's default-route interface"
fi
# Exporters and Prometheus are published on loopback only.
if docker ps --format '{{.Names}} {{.Ports}}' | grep -E '^(prometheus|cadvisor|blackbox_exporter|sab_exporter) ' | grep -v -q '127.0.0.1:'; then
  fail "an exporter or Prometheus is published beyond loopback: $(docker ps --format '{{.Names}} {{.Ports}}' | grep -E '^(prometheus|cadvisor|blackbox_exporter|sab_exporter) ')"
else
  pass "exporters and Prometheus are published on loopback only"
fi

# Every Blackbox probe succeeds inside the engine, Plex's (host network, reached at the host gateway) included.
failing=$(curl -fsS 'http://127.0.0.1:9090/api/v1/query?query=probe_success%3D%3D0' | jq -r '[.data.result[].metric.service] | sort | join(",")')
probes=$(curl -fsS 'http://127.0.0.1:9090/api/v1/query?query=probe_success' | jq '.data.result | length')
if [[ $failing == "" ]] && ((probes > 15)); then
  pass "Blackbox: $probes probes, failing only: ${failing:-none}"
else
  fail "Blackbox probes failing: $failing (of $probes)"
fi

# The real Alertmanager, running as PUID, reads the secret Compose made from .env (and it is in no rendered file).
if [[ $(docker exec alertmanager cat /run/secrets/alert_smtp_password 2>&1) == "$SMTP_SECRET" ]] &&
  ! grep -rqF "$SMTP_SECRET" "$CHECKOUT/deploy/alertmanager" "$CHECKOUT/deploy/homepage-stack.yml"; then
  pass "Alertmanager reads its SMTP password from the Compose secret; no rendered file holds it"
else
  fail "Alertmanager cannot read /run/secrets/alert_smtp_password as its user, or a rendered file holds it"
fi
if curl -fsS http://127.0.0.1:9093/api/v2/status | jq -e '.config.original | contains("smtp_auth_password_file")' >/dev/null; then
  pass "Alertmanager loaded the rendered e-mail route"
else
  fail "Alertmanager's loaded config has no e-mail route"
fi

# Backups inside the deployment: real borg and borgmatic in the mediaserver-backup container, over app data with
# SQLite databases; the restore drill compares the latest archive with the sources; Node Exporter's textfile
# collector carries the result to Prometheus.
python3 "$REPO/Tests/Fixtures/backup/make_data.py" "$WORK/config" 6 >/dev/null
if "$MS" backup init --root "$CHECKOUT" && "$MS" backup run --root "$CHECKOUT" --json >"$WORK/backup.json"; then
  pass "mediaserver backup init and run through docker compose exec"
else
  fail "backup through compose: $(cat "$WORK/backup.json" 2>/dev/null)"
fi
if "$MS" backup restore-drill --root "$CHECKOUT" --json >"$WORK/drill.json" &&
  jq -e '(.differences | length == 0) and .filesCompared > 10 and .databasesRestored > 0' "$WORK/drill.json" >/dev/null; then
  pass "restore drill through compose: $(jq -r '"\(.filesCompared) files, \(.databasesRestored) databases, RPO \(.rpoSeconds) s, RTO \(.rtoSeconds) s"' "$WORK/drill.json")"
else
  fail "restore drill through compose: $(head -c 2000 "$WORK/drill.json")"
fi
seen=""
for _ in $(seq 1 40); do
  seen=$(curl -fsS 'http://127.0.0.1:9090/api/v1/query?query=mediaserver_backup_last_status' | jq -r '.data.result[0].value[1] // empty')
  [[ -n $seen ]] && break
  sleep 3
done
if [[ $seen == 1 ]]; then pass "Prometheus sees the backup's success through the textfile collector"; else fail "backup metric in Prometheus: '${seen}'"; fi

# The front door on the same deployment (DOMAIN set, a second `up`): scripts/e2e/frontdoor.sh.
. "$HERE/frontdoor.sh"

docker stop sonarr >/dev/null
if "$MS" health --root "$CHECKOUT" --json >"$WORK/health2.json"; then
  fail "health exited 0 with sonarr stopped"
elif jq -e '[.services[] | select(.state == "down") | .service] == ["sonarr"]' "$WORK/health2.json" >/dev/null; then
  pass "with sonarr stopped, health names it and exits 1"
else
  fail "health after stop: $(jq -c '[.services[] | select(.state == "down")]' "$WORK/health2.json")"
fi

upgrade_e2e

# `down` through the compose plugin form, so both CLI shapes are exercised.
mkdir -p "$WORK/dockercfg/cli-plugins"
ln -sf "$(command -v docker-compose)" "$WORK/dockercfg/cli-plugins/docker-compose"
if DOCKER_CONFIG=$WORK/dockercfg "$MS" down --root "$CHECKOUT"; then pass "mediaserver down"; else fail "mediaserver down"; fi
left=$(docker ps -aq | wc -l)
networks=$(docker network ls --filter name=media_net -q | wc -l)
if ((left == 0 && networks == 0)); then
  pass "no container or network left behind"
else
  fail "left behind: $left containers, $networks networks"
fi

log "e2e: $PASSED passed, $FAILED failed"
echo "e2e: $PASSED passed, $FAILED failed"
((FAILED == 0))
