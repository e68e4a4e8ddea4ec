# shellcheck shell=bash
# The front door end to end, sourced by run.sh once the checks without it have passed: the same checkout and engine,
# with DOMAIN set and LAN_IP on this machine's own (non-loopback) address. Caddy is Debian's package built into an
# image under the pinned caddy reference; Authelia is its forward-auth contract fake (scripts/fixtures/
# front_door_lab.py, the one the Swift front-door test runs) under the pinned Authelia reference. A second
# `mediaserver up` turns the front door on; then, through the real Caddy inside the engine:
#   - each admin app sends a browser without a session to the portal, and answers with a two-factor session
#     (receiving Authelia's Remote-User, never a forged one);
#   - Jellyfin, the Seerr portals and Plex answer without a session;
#   - an *arr /api call with the key passes (a wrong key is refused by the app itself);
#   - no app answers on its own port at LAN_IP (Node Exporter's included): only Caddy's ports are published there;
#   - Prometheus and Blackbox still reach Node Exporter, at the front door network's gateway;
#   - `up` turns on Jellyseerr's trust in Caddy's X-Forwarded-For and restarts it so that it applies.
# Plex (host network, unclaimed in this phase) is reached by Caddy at the host gateway, its stand-in listening on
# every address as Plex does.
# Uses run.sh's MS, CHECKOUT, WORK, HERE, pass, fail and envval. Runs under run.sh's `set -euo pipefail`: a look-up
# that finds nothing yields an empty value (`|| true`) and a FAIL, never an abort.

FD_DOMAIN=media.test
# High ports: 80 and 443 may be taken on a test machine; the Caddyfile inside keeps 80/443.
FD_HTTP=28080
FD_HTTPS=28443
FD_ADMIN=(sonarr radarr prowlarr bazarr sabnzbd tautulli dozzle filebrowser prometheus alertmanager homepage grafana)
FD_OWN_LOGIN=(jellyfin jellyseerr overseerr plex)

frontdoor_e2e() {
  local lan t0
  t0=$(now)
  lan=$(ip -o route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([^ ]*\).*/\1/p' || true)
  if [[ -z $lan || $lan == 127.* ]]; then
    fail "front door: this machine has no non-loopback address to stand for LAN_IP"
    return
  fi
  sed -i -e "s/^DOMAIN=.*/DOMAIN=$FD_DOMAIN/" -e "s/^LAN_IP=.*/LAN_IP=$lan/" \
    -e "s/^CADDY_PORT=.*/CADDY_PORT=$FD_HTTPS/" -e "s/^CADDY_HTTP_PORT=.*/CADDY_HTTP_PORT=$FD_HTTP/" "$CHECKOUT/.env"
  if ! "$MS" render --root "$CHECKOUT" >/dev/null || ! "$MS" services --json --root "$CHECKOUT" >"$WORK/fd-services.json"; then
    fail "front door: render or services with DOMAIN set failed"
    return
  fi
  jq -f "$HERE/manifest.jq" "$WORK/fd-services.json" |
    jq '[.[] | select(.kind == "caddy" or (.image | startswith("authelia/")))]' >"$WORK/fd-manifest.json"
  if [[ $(jq length "$WORK/fd-manifest.json") != 2 ]]; then
    fail "front door: the services with DOMAIN set lack caddy or authelia: $(jq -c . "$WORK/fd-manifest.json")"
    return
  fi
  if ! "$HERE/build-images.sh" "$WORK/fd-manifest.json"; then
    fail "front door: building the Caddy and Authelia images failed"
    return
  fi

  # The backup data set (Tests/Fixtures/backup/make_data.py) left a Preferences.xml that claims Plex with a made-up
  # token; wiring would then sign Overseerr in with it, which Seerr checks at plex.tv, out of this engine's reach.
  # This phase keeps Plex unclaimed, as the first phase has it (Overseerr then waits for the claim, as a person does).
  rm -f "$WORK/config/plex/config/Library/Application Support/Plex Media Server/Preferences.xml"
  # The matrix runs even when `up` fails after starting the stacks (wiring, say): its checks fail on their own.
  if "$MS" up --root "$CHECKOUT" --timeout 300 2>"$WORK/fd-up.log"; then
    pass "mediaserver up with DOMAIN set: both stacks healthy and wired, Caddy and Authelia included"
  else
    fail "mediaserver up with DOMAIN set (its output below)"
    grep -v 'waiting for' "$WORK/fd-up.log" >&2 || true
  fi

  # The first Authelia user: a users file with an argon2id digest of the password in first-login.txt, both 0600
  # (the password is compared inside the image, never printed).
  local users=$WORK/config/authelia/users_database.yml note=$WORK/config/authelia/first-login.txt digest password
  digest=$(sed -n "s/^ *password: '\(.*\)'$/\1/p" "$users" 2>/dev/null || true)
  password=$(sed -n 's/^password: //p' "$note" 2>/dev/null || true)
  if [[ $(stat -c %a "$users" "$note" 2>/dev/null | sort -u) == 600 && $digest == \$argon2id\$* ]] &&
    docker run --rm --network none --entrypoint python3 "$(jq -r '.[] | select(.name == "authelia") | .image' "$WORK/fd-services.json")" \
      /opt/standin/authelia_hash.py verify "$digest" "$password"; then
    pass "up created Authelia's first user: an argon2id digest of the first-login password, both files mode 600"
  else
    fail "Authelia's first user: $users and $note missing, not mode 600, or the digest does not match"
  fi

  local root=$WORK/config/caddy/data/caddy/pki/authorities/local/root.crt
  # fd NAME PATH [curl args]: the answer of https://NAME.DOMAIN PATH through Caddy at LAN_IP, as
  # "STATUS REDIRECT"; the body goes to $WORK/fd.body.
  fd() {
    local host=$1.$FD_DOMAIN path=$2
    shift 2
    curl -s --max-time 10 --cacert "$root" --resolve "$host:$FD_HTTPS:$lan" -o "$WORK/fd.body" \
      -w '%{http_code} %{redirect_url}' "$@" "https://$host:$FD_HTTPS$path" || true
  }
  local up=0
  for _ in $(seq 1 60); do
    if [[ -s $root && $(fd jellyfin /health) == "200 "* ]]; then
      up=1
      break
    fi
    sleep 1
  done
  if ((!up)); then
    fail "Caddy does not serve jellyfin.$FD_DOMAIN at $lan:$FD_HTTPS with a certificate from its internal CA"
    docker logs --tail 20 caddy >&2 || true
    return
  fi
  pass "Caddy (Debian's package) serves HTTPS at $lan:$FD_HTTPS with its internal CA, trusted by the client"

  # The sites Caddy serves are exactly the admin apps, the own-login apps, Plex and the portal.
  local sites expected
  sites=$(sed -n "s/^\([a-z_]*\)\.$FD_DOMAIN {$/\1/p" "$CHECKOUT/deploy/caddy/Caddyfile" | sort | xargs || true)
  expected=$(printf '%s\n' "${FD_ADMIN[@]}" "${FD_OWN_LOGIN[@]}" auth | sort | xargs)
  if [[ $sites == "$expected" ]]; then pass "the Caddyfile has one site per web UI and the portal"; else fail "Caddyfile sites: $sites (expected $expected)"; fi

  local app path answer wrong=""
  health() { jq -r --arg n "$1" '.[] | select(.name == $n) | .healthPath // "/"' "$WORK/fd-services.json"; }
  for app in "${FD_ADMIN[@]}"; do
    path=$(health "$app")
    answer=$(fd "$app" / -H 'Accept: text/html')
    [[ $answer == "302 https://auth.$FD_DOMAIN/?rd=https%3A%2F%2F$app.$FD_DOMAIN%3A$FD_HTTPS%2F&rm=GET" ]] ||
      wrong+=" $app(no session: $answer)"
    answer=$(fd "$app" "$path" -H 'Accept: application/json')
    [[ $answer == "401 "* ]] || wrong+=" $app(API client, no session: $answer)"
    answer=$(fd "$app" "$path" -b authelia_session=lab-one-factor-session -H 'Accept: text/html')
    [[ $answer == "302 "* ]] || wrong+=" $app(one factor: $answer)"
    answer=$(fd "$app" "$path" -b authelia_session=lab-two-factor-session)
    [[ $answer == "200 " ]] || wrong+=" $app(two factors, $path: $answer)"
  done
  if [[ -z $wrong ]]; then
    pass "${#FD_ADMIN[@]} admin apps redirect to the portal without a session, refuse one factor, answer with two"
  else
    fail "admin apps through the front door:$wrong"
  fi

  # The stand-ins echo what Caddy forwarded: Authelia's user, never one a client sends.
  local echoed
  echoed=$(fd grafana / -b authelia_session=lab-two-factor-session -H 'Remote-User: mallory' >/dev/null && jq -r .remote_user "$WORK/fd.body" || true)
  answer=$(fd grafana / -H 'Remote-User: mallory' -H 'Accept: application/json')
  if [[ $echoed == alice && $answer == "401 "* ]]; then
    pass "Grafana receives Authelia's Remote-User (alice), never a forged one; a forged header alone is refused"
  else
    fail "Grafana's Remote-User: got '$echoed' with a session and a forged header; without a session: $answer"
  fi

  wrong=""
  for app in "${FD_OWN_LOGIN[@]}"; do
    answer=$(fd "$app" "$(health "$app")" -H 'Accept: text/html')
    [[ $answer == "200 " ]] || wrong+=" $app($answer)"
  done
  if [[ -z $wrong ]]; then pass "${FD_OWN_LOGIN[*]} answer without a session (their own logins)"; else fail "bypassed apps:$wrong"; fi

  wrong=""
  local call key
  for call in "sonarr /api/v3/series SONARR_API_KEY" "radarr /api/v3/movie RADARR_API_KEY" \
    "prowlarr /api/v1/indexer PROWLARR_API_KEY"; do
    read -r app path key <<<"$call"
    key=$(envval "$key")
    [[ $(fd "$app" "$path" -H "X-Api-Key: $key" -H 'Accept: text/html') == "200 " ]] || wrong+=" $app(header)"
    [[ $(fd "$app" "$path?apikey=$key" -H 'Accept: text/html') == "200 " ]] || wrong+=" $app(query)"
    # A wrong key still goes to the app (not to the portal), which refuses it.
    [[ $(fd "$app" "$path" -H "X-Api-Key: wrong-$key" -H 'Accept: text/html') == "401 "* ]] || wrong+=" $app(wrong key)"
  done
  if [[ -z $wrong ]]; then
    pass "Sonarr, Radarr and Prowlarr /api calls with the key pass without a session; a wrong key is the app's 401"
  else
    fail "*arr API calls through the front door:$wrong"
  fi

  answer=$(fd auth / -H 'Accept: text/html')
  local redirect
  redirect=$(curl -s -o /dev/null --max-time 10 -w '%{http_code} %{redirect_url}' -H "Host: sonarr.$FD_DOMAIN" "http://$lan:$FD_HTTP/" || true)
  if [[ $answer == "200 " && $(jq -r .app "$WORK/fd.body" 2>/dev/null) == authelia && $redirect == "308 https://sonarr.$FD_DOMAIN/" ]]; then
    pass "auth.$FD_DOMAIN reaches Authelia's portal; plain HTTP is redirected to HTTPS"
  else
    fail "portal: $answer; HTTP redirect: $redirect"
  fi

  # No app answers on its own port at LAN_IP; every published port but Caddy's is on loopback.
  local ports port open="" published
  ports=$(jq -r '.[] | select(.network != "host" and .name != "caddy") | .ports[] | select(endswith("/tcp")) | split("->")[0]' "$WORK/fd-services.json" | sort -un || true)
  # Node Exporter (host network, no login) too: behind the front door it listens on loopback and the front door
  # network's gateway only.
  port=$(jq -r '.[] | select(.name == "node_exporter") | .healthPort // empty' "$WORK/fd-services.json" || true)
  if [[ -n $port ]]; then ports=$(printf '%s\n%s\n' "$ports" "$port" | sort -un); else fail "front door: no Node Exporter port in the services"; fi
  for port in $ports; do
    if curl -s -o /dev/null --max-time 3 "http://$lan:$port/"; then open+=" $port"; fi
  done
  published=$(docker ps --format '{{.Names}} {{.Ports}}' | tr ',' '\n' | grep -o '[0-9.]*:[0-9]*->' | sort -u | grep -v '^127\.0\.0\.1:' | xargs || true)
  if [[ -n $ports && -z $open && $published == "$lan:$FD_HTTP-> $lan:$FD_HTTPS->" ]]; then
    pass "no app answers on its own port at $lan ($(wc -w <<<"$ports") ports tried); only Caddy's $FD_HTTP/$FD_HTTPS are published there"
  else
    fail "reachable around the front door:${open:- none}; published beyond loopback: $published"
  fi

  # Caddy alone holds the fixed address on the front door network, and it is the one address Grafana's auth.proxy
  # and Jellyfin's known proxies trust; Caddy is not on media_net.
  local caddy_nets whitelist proxies
  caddy_nets=$(docker inspect caddy --format '{{range $n, $e := .NetworkSettings.Networks}}{{$n}}={{$e.IPAddress}} {{end}}' | xargs || true)
  whitelist=$(docker inspect grafana --format '{{range .Config.Env}}{{println .}}{{end}}' | sed -n 's/^GF_AUTH_PROXY_WHITELIST=//p' || true)
  proxies=$(sed -n 's:.*<string>\(.*\)</string>.*:\1:p' "$WORK/config/jellyfin/config/config/network.xml" 2>/dev/null | xargs || true)
  if [[ -n $whitelist && $caddy_nets == "media_frontdoor=$whitelist" && $proxies == "$whitelist" ]]; then
    pass "Caddy is on media_frontdoor alone at $whitelist: Grafana's auth.proxy whitelist and Jellyfin's KnownProxies"
  else
    fail "proxy address: caddy on '$caddy_nets', Grafana's whitelist '$whitelist', Jellyfin's KnownProxies '$proxies'"
  fi

  # Prometheus and Blackbox still reach Node Exporter, now at the front door network's gateway (host.docker.internal
  # in their extra_hosts); Node Exporter's own healthcheck uses loopback.
  local gateway node_up="" node_probe=""
  gateway=$(docker network inspect media_frontdoor --format '{{range .IPAM.Config}}{{.Gateway}}{{end}}' 2>/dev/null || true)
  for _ in $(seq 1 40); do
    node_up=$(curl -fsS 'http://127.0.0.1:9090/api/v1/query?query=up%7Bjob%3D%22node%22%7D' | jq -r '.data.result[0].value[1] // empty' || true)
    node_probe=$(curl -fsS 'http://127.0.0.1:9090/api/v1/query?query=probe_success%7Bservice%3D%22node_exporter%22%7D' | jq -r '.data.result[0].value[1] // empty' || true)
    [[ $node_up == 1 && $node_probe == 1 ]] && break
    sleep 3
  done
  if [[ -n $gateway && $node_up == 1 && $node_probe == 1 ]] &&
    [[ $(docker inspect prometheus blackbox_exporter --format '{{join .HostConfig.ExtraHosts " "}}' | sort -u | xargs) == "host.docker.internal:$gateway" ]]; then
    pass "Prometheus scrapes and Blackbox probes Node Exporter at the front door network's gateway ($gateway)"
  else
    fail "Node Exporter behind the front door: gateway '$gateway', up{job=node}='$node_up', probe_success='$node_probe'"
  fi

  # Jellyseerr is restarted by `up` once its wiring turned trustProxy on (Seerr reads it only at start), and comes back
  # healthy with no restart pending. The stand-in does not keep the fake's state across that restart, so trustProxy
  # itself is checked by the Swift wiring test against the same fake.
  local status
  status=$(curl -fsS http://127.0.0.1:5055/api/v1/status | jq -r .restartRequired || true)
  if [[ $status == false ]] && grep -q 'restarting jellyseerr' "$WORK/fd-up.log"; then
    pass "up turned on Jellyseerr's trust in Caddy's X-Forwarded-For and restarted it (no restart pending)"
  else
    fail "Jellyseerr's proxy trust: restartRequired '$status'; up: $(grep -c 'restarting' "$WORK/fd-up.log" || true) restarts"
  fi

  # Homepage's links follow the front door.
  if grep -q "href: https://sonarr.$FD_DOMAIN:$FD_HTTPS" "$CHECKOUT/deploy/homepage/services.yaml" &&
    ! grep -q 'href: http://' "$CHECKOUT/deploy/homepage/services.yaml"; then
    pass "Homepage's links are the apps' HTTPS names"
  else
    fail "Homepage's links: $(grep -m3 'href:' "$CHECKOUT/deploy/homepage/services.yaml" | xargs)"
  fi
  record_time "front door (second up, matrix)" "$(elapsed "$t0")"
}

frontdoor_e2e
