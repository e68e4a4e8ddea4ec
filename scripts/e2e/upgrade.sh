# shellcheck shell=bash
# End-to-end part for `mediaserver upgrade`, sourced by run.sh (it uses run.sh's MS, CHECKOUT, WORK, pass and fail).
#
# Sourced before the engine starts, it points the engine's Docker Hub mirror at a loopback OCI registry (Debian's
# docker-registry), so a pull of filebrowser/filebrowser:TAG is a real pull by that exact reference, from a
# registry that holds locally built images under several tags. `upgrade_e2e` (after `up`) then:
#   - refuses an unknown service (exit 64) and a registry that does not answer (exit 1), changing nothing;
#   - upgrades File Browser to a newer tag whose image is healthy: kept, the tag stored in .env (mode 0600);
#   - upgrades it to a newer tag whose image rewrites its config folder on start and then fails: rolled back to
#     the previous image, with the config folder byte-identical to before and the previous tag in .env.
#   - sends SIGINT while a newer image that rewrote the config folder waits for its health: exit 130, rolled back
#     as above.
# The health timeout is short, set through UPGRADE_HEALTH_TIMEOUT in .env.

UPGRADE_REGISTRY_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# dockerd treats 127.0.0.0/8 as an insecure registry, so the mirror may be plain HTTP.
export MS_DOCKERD_ARGS="${MS_DOCKERD_ARGS:-} --registry-mirror=http://127.0.0.1:$UPGRADE_REGISTRY_PORT"

# A digest of every entry under a folder: path, type, mode, owner, size, modification time, link target and the
# contents of each file.
upgrade_tree_digest() {
  (cd "$1" && {
    find . -printf '%p %y %m %U:%G %s %T@ %l\n' | LC_ALL=C sort
    find . -type f -exec sha256sum {} + | LC_ALL=C sort -k2
  }) | sha256sum | cut -d' ' -f1
}

upgrade_e2e() {
  local t0 registry=127.0.0.1:$UPGRADE_REGISTRY_PORT dir=$WORK/registry pid rc tag
  t0=$(now)
  command -v docker-registry >/dev/null || {
    fail "upgrade: docker-registry is not installed (scripts/install-test-tools installs it)"
    return
  }
  mkdir -p "$dir/data"
  printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s/data\nhttp:\n  addr: %s\n' "$dir" "$registry" >"$dir/config.yml"
  docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
  pid=$!
  for _ in $(seq 1 50); do curl -fsS -o /dev/null "http://$registry/v2/" && break; sleep 0.2; done

  # The running tag and two newer patch releases of File Browser's scheme (vX.Y.Z).
  local current good bad major minor patch
  current=$(docker inspect --format '{{.Config.Image}}' filebrowser | sed 's/.*://')
  IFS=. read -r major minor patch <<<"${current#v}"
  good=v$major.$minor.$((patch + 1))
  bad=v$major.$minor.$((patch + 2))
  # The new healthy release is the running image under a new tag; the broken one rewrites its database and config
  # on start (as a migration does) and then fails.
  mkdir -p "$dir/broken"
  cat >"$dir/broken/migrate.sh" <<'SH'
#!/bin/sh
echo "schema 2" >/database/filebrowser.db
echo "migrated" >/config/settings.json
echo "migration to schema 2 failed" >&2
exit 1
SH
  printf 'FROM filebrowser/filebrowser:%s\nCOPY migrate.sh /migrate.sh\nENTRYPOINT ["/bin/sh", "/migrate.sh"]\n' "$current" >"$dir/broken/Dockerfile"
  DOCKER_BUILDKIT=0 docker build -q -t "$registry/filebrowser/filebrowser:$bad" "$dir/broken" >/dev/null
  docker tag "filebrowser/filebrowser:$current" "$registry/filebrowser/filebrowser:$current"
  docker tag "filebrowser/filebrowser:$current" "$registry/filebrowser/filebrowser:$good"
  for tag in "$current" "$good" "$bad"; do
    docker push -q "$registry/filebrowser/filebrowser:$tag" >/dev/null || fail "upgrade: push of $tag to $registry"
    docker rmi "$registry/filebrowser/filebrowser:$tag" >/dev/null
  done
  record_time "upgrade: registry with 3 tags" "$(elapsed "$t0")"

  local config=$WORK/config/filebrowser env=$CHECKOUT/.env mirror=(--registry "docker.io=http://$registry")
  printf 'schema 1\n' >"$config/database/filebrowser.db"
  printf '{"port": 80}\n' >"$config/config/settings.json"
  chown -R 1000:1000 "$config"
  sed -i 's/^UPGRADE_HEALTH_TIMEOUT=.*/UPGRADE_HEALTH_TIMEOUT=60/' "$env"
  local env_before
  env_before=$(sha256sum <"$env")

  rc=0
  "$MS" upgrade --root "$CHECKOUT" filebrowsr --yes "${mirror[@]}" 2>"$WORK/upgrade0.log" || rc=$?
  if ((rc == 64)) && grep -q "'filebrowsr' is not a service" "$WORK/upgrade0.log"; then
    pass "upgrade refuses an unknown service (exit 64)"
  else
    fail "upgrade of an unknown service: exit $rc, $(cat "$WORK/upgrade0.log")"
  fi
  rc=0
  "$MS" upgrade --root "$CHECKOUT" filebrowser --yes --registry docker.io=http://127.0.0.1:1 2>"$WORK/upgrade0.log" || rc=$?
  if ((rc == 1)) && grep -q "nothing was changed" "$WORK/upgrade0.log" && [[ $(sha256sum <"$env") == "$env_before" ]]; then
    pass "upgrade with its registry down exits 1 and changes nothing"
  else
    fail "upgrade with the registry down: exit $rc, $(cat "$WORK/upgrade0.log")"
  fi
  if "$MS" upgrade --root "$CHECKOUT" filebrowser --dry-run --json "${mirror[@]}" >"$WORK/plan.json" &&
    jq -e --arg from "$current" --arg to "$bad" '.plan.steps == [.plan.steps[0]] and .plan.steps[0].from == $from and .plan.steps[0].to == $to' "$WORK/plan.json" >/dev/null &&
    [[ $(sha256sum <"$env") == "$env_before" ]]; then
    pass "upgrade --dry-run plans filebrowser $current → $bad (the newest) and changes nothing"
  else
    fail "upgrade --dry-run: $(cat "$WORK/plan.json")"
  fi

  # Kept: a healthy new tag.
  t0=$(now)
  if "$MS" upgrade --root "$CHECKOUT" filebrowser --to "$good" --yes --json "${mirror[@]}" >"$WORK/upgrade1.json" 2>"$WORK/upgrade1.log" &&
    jq -e '.ok and .steps[0].outcome == "upgraded"' "$WORK/upgrade1.json" >/dev/null &&
    [[ $(docker inspect --format '{{.Config.Image}} {{.State.Health.Status}}' filebrowser) == "filebrowser/filebrowser:$good healthy" ]] &&
    grep -qx "FILEBROWSER_IMAGE_TAG=$good" "$env" && [[ $(stat -c %a "$env") == 600 ]] &&
    grep -q "image: filebrowser/filebrowser:$good" "$CHECKOUT/deploy/homepage-stack.yml"; then
    pass "upgrade filebrowser --to $good: pulled from the registry, healthy, kept; the tag is in .env (mode 600) and its render"
  else
    fail "upgrade to a healthy tag: $(cat "$WORK/upgrade1.json") $(tail -5 "$WORK/upgrade1.log")"
  fi
  record_time "upgrade: healthy tag kept" "$(elapsed "$t0")"

  # Rolled back: the newest tag rewrites the config folder, then never gets healthy.
  t0=$(now)
  local digest
  digest=$(upgrade_tree_digest "$config")
  rc=0
  "$MS" upgrade --root "$CHECKOUT" filebrowser --yes --json "${mirror[@]}" >"$WORK/upgrade2.json" 2>"$WORK/upgrade2.log" || rc=$?
  if ((rc == 1)) && jq -e --arg good "$good" '(.ok | not) and .steps[0].outcome == "rolled-back" and .steps[0].running == $good' "$WORK/upgrade2.json" >/dev/null &&
    docker image inspect "filebrowser/filebrowser:$bad" >/dev/null 2>&1 &&
    [[ $(docker inspect --format '{{.Config.Image}} {{.State.Health.Status}}' filebrowser) == "filebrowser/filebrowser:$good healthy" ]] &&
    [[ $(upgrade_tree_digest "$config") == "$digest" ]] && grep -qx "FILEBROWSER_IMAGE_TAG=$good" "$env" &&
    [[ ! -e $WORK/config/.pre-upgrade ]]; then
    pass "upgrade to $bad (rewrites its config, fails): rolled back to $good, config folder byte-identical, .env as before"
  else
    fail "rollback: exit $rc, $(cat "$WORK/upgrade2.json") $(tail -8 "$WORK/upgrade2.log")"
  fi
  record_time "upgrade: broken tag rolled back" "$(elapsed "$t0")"

  # Interrupted: SIGINT while a newer image has rewritten the config folder and is not healthy yet (its healthcheck's
  # start period is 60 s). Pushed only now, so the plans above do not see it.
  t0=$(now)
  local stuck=v$major.$minor.$((patch + 3)) ms
  mkdir -p "$dir/stuck"
  cat >"$dir/stuck/start.sh" <<'SH'
#!/bin/sh
echo "schema 3" >/database/filebrowser.db
echo "migrated" >/config/settings.json
trap 'exit 0' TERM
sleep 3600 &
wait
SH
  printf 'FROM filebrowser/filebrowser:%s\nCOPY start.sh /start.sh\nENTRYPOINT ["/bin/sh", "/start.sh"]\n' "$current" >"$dir/stuck/Dockerfile"
  DOCKER_BUILDKIT=0 docker build -q -t "$registry/filebrowser/filebrowser:$stuck" "$dir/stuck" >/dev/null
  docker push -q "$registry/filebrowser/filebrowser:$stuck" >/dev/null || fail "upgrade: push of $stuck to $registry"
  docker rmi "$registry/filebrowser/filebrowser:$stuck" >/dev/null
  digest=$(upgrade_tree_digest "$config")
  env_before=$(sha256sum <"$env")
  "$MS" upgrade --root "$CHECKOUT" filebrowser --to "$stuck" --yes --json "${mirror[@]}" >"$WORK/upgrade3.json" 2>"$WORK/upgrade3.log" &
  ms=$!
  for _ in $(seq 1 600); do
    [[ $(docker inspect --format '{{.Config.Image}} {{.State.Running}}' filebrowser 2>/dev/null) == "filebrowser/filebrowser:$stuck true" ]] && break
    sleep 0.2
  done
  sleep 1
  kill -INT "$ms" 2>/dev/null || true
  rc=0
  wait "$ms" || rc=$?
  if ((rc == 130)) && jq -e --arg good "$good" '(.ok | not) and .interrupted == 2 and .steps[0].outcome == "rolled-back" and .steps[0].running == $good and .steps[0].healthyAgain' "$WORK/upgrade3.json" >/dev/null &&
    [[ $(docker inspect --format '{{.Config.Image}} {{.State.Health.Status}}' filebrowser) == "filebrowser/filebrowser:$good healthy" ]] &&
    [[ $(upgrade_tree_digest "$config") == "$digest" ]] && [[ $(sha256sum <"$env") == "$env_before" ]] &&
    [[ ! -e $WORK/config/.pre-upgrade ]]; then
    pass "upgrade to $stuck interrupted by SIGINT during the health wait: exit 130, $good healthy again, config folder byte-identical, .env as before"
  else
    fail "interrupted upgrade: exit $rc, $(cat "$WORK/upgrade3.json") $(tail -8 "$WORK/upgrade3.log")"
  fi
  record_time "upgrade: SIGINT during the health wait rolled back" "$(elapsed "$t0")"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
