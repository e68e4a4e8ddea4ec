/// Where each catalog image's project publishes its release notes, read before an upgrade.
///
/// Keyed by image repository, so a service added to the catalog without an entry simply shows no link. linuxserver.io
/// images point at the app's own notes (what changes for the user), not at the image's rebuild log.
public enum ReleaseNotes {
    /// The release notes page for `repository` (as the catalog spells it), if the catalog knows one.
    public static func url(for repository: String) -> String? { pages[repository] }

    static let pages: [String: String] = [
        "jellyfin/jellyfin": "https://github.com/jellyfin/jellyfin/releases",
        "lscr.io/linuxserver/sonarr": "https://github.com/Sonarr/Sonarr/releases",
        "lscr.io/linuxserver/radarr": "https://github.com/Radarr/Radarr/releases",
        "lscr.io/linuxserver/prowlarr": "https://github.com/Prowlarr/Prowlarr/releases",
        "lscr.io/linuxserver/tautulli": "https://github.com/Tautulli/Tautulli/releases",
        "lscr.io/linuxserver/sabnzbd": "https://github.com/sabnzbd/sabnzbd/releases",
        "lscr.io/linuxserver/bazarr": "https://github.com/morpheus65535/bazarr/releases",
        "lscr.io/linuxserver/socket-proxy": "https://github.com/linuxserver/docker-socket-proxy/releases",
        "ghcr.io/recyclarr/recyclarr": "https://github.com/recyclarr/recyclarr/releases",
        "crazymax/fail2ban": "https://github.com/crazy-max/docker-fail2ban/releases",
        "nickfedor/watchtower": "https://github.com/nicholas-fedor/watchtower/releases",
        "ghcr.io/borgmatic-collective/borgmatic": "https://github.com/borgmatic-collective/docker-borgmatic/releases",
        "ghcr.io/gethomepage/homepage": "https://github.com/gethomepage/homepage/releases",
        "amir20/dozzle": "https://github.com/amir20/dozzle/releases",
        "filebrowser/filebrowser": "https://github.com/filebrowser/filebrowser/releases",
        "prom/prometheus": "https://github.com/prometheus/prometheus/releases",
        "prom/alertmanager": "https://github.com/prometheus/alertmanager/releases",
        "prom/blackbox-exporter": "https://github.com/prometheus/blackbox_exporter/releases",
        "prom/node-exporter": "https://github.com/prometheus/node_exporter/releases",
        "grafana/grafana": "https://github.com/grafana/grafana/releases",
        "ghcr.io/google/cadvisor": "https://github.com/google/cadvisor/releases",
        "ghcr.io/onedr0p/exportarr": "https://github.com/onedr0p/exportarr/releases",
        "ghcr.io/seerr-team/seerr": "https://github.com/seerr-team/seerr/releases",
        "caddy": "https://github.com/caddyserver/caddy/releases",
        "authelia/authelia": "https://github.com/authelia/authelia/releases",
    ]
}
