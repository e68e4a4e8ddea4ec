# Turns `mediaserver services --json` into the image manifest build-images.sh reads (README.md).
# Real images for Prometheus, Node Exporter, Blackbox, Alertmanager and Caddy (Debian's builds); a stand-in for every other
# image, answering its catalog health path on its container port and carrying the programs its healthcheck calls.
def kind($repo):
  if $repo == "prom/prometheus" then "prometheus"
  elif $repo == "prom/node-exporter" then "node-exporter"
  elif $repo == "prom/blackbox-exporter" then "blackbox"
  elif $repo == "prom/alertmanager" then "alertmanager"
  elif $repo == "caddy" then "caddy"
  elif $repo == "ghcr.io/borgmatic-collective/borgmatic" then "borgmatic"
  else "standin" end;

group_by(.image) | map(
  (.[0].image | sub(":[^:/]+$"; "")) as $repo
  | ([.[] | .healthPrograms[]?] | unique) as $programs
  | {
      image: .[0].image,
      kind: kind($repo),
      port: .[0].healthPort,
      healthPath: .[0].healthPath,
      # Every address, as the apps do: on the host network too (Plex), where containers reach it at the host gateway.
      bind: "0.0.0.0",
      # bash and pgrep are real in the stand-in base; a `pgrep -x crond` probe needs a crond process.
      programs: (($programs - ["bash", "sh", "pgrep"]) + (if ($programs | index("pgrep")) then ["crond"] else [] end)),
      daemons: (if ($programs | index("pgrep")) then ["crond"] else [] end),
      # Authelia's stand-in answers `authelia crypto hash generate argon2` with a real argon2id (argon2-cffi).
      packages: (if $repo == "authelia/authelia" then ["python3-argon2"] else null end)
    }
  | with_entries(select(.value != null))
)
