import Foundation

/// How a publisher names the release tags of its image, with where that is documented.
///
/// Stand-in images in the end-to-end run are built under whatever tag the catalog names, so a tag that was never
/// published (a git tag the image workflow rewrites, a missing `v`) would pass every test and still stop a real
/// `docker compose pull`. Each catalog image names its publisher's scheme, and a test holds every pinned tag to it.
public struct TagScheme: Hashable, Sendable, CustomStringConvertible {
    /// The shape of a release tag.
    public enum Shape: Hashable, Sendable {
        /// `<upstream version>-ls<build>`, e.g. `4.0.19.2979-ls316` or `3.4.6-r0-ls101`.
        case linuxServer
        /// A dotted numeric release `X.Y.Z` after a fixed prefix (`v` or nothing), e.g. `v3.14.0`, `1.1.0`.
        case release(prefix: String, suffix: String = "")
    }

    public let shape: Shape
    /// The publisher's build file or documentation that fixes the scheme (repository and path).
    public let source: String

    public init(_ shape: Shape, source: String) {
        self.shape = shape
        self.source = source
    }

    /// Whether `tag` is a release tag of this scheme.
    public func accepts(_ tag: String) -> Bool {
        switch shape {
        case .linuxServer:
            guard let range = tag.range(of: "-ls", options: .backwards) else { return false }
            return Self.isNumber(tag[range.upperBound...]) && Self.isVersionText(tag[..<range.lowerBound])
        case .release(let prefix, let suffix):
            guard tag.hasPrefix(prefix), tag.hasSuffix(suffix), tag.count > prefix.count + suffix.count else {
                return false
            }
            let parts = tag.dropFirst(prefix.count).dropLast(suffix.count).split(
                separator: ".", omittingEmptySubsequences: false)
            return parts.count == 3 && parts.allSatisfy(Self.isNumber)
        }
    }

    /// The shape as a user reads it in an error.
    public var description: String {
        switch shape {
        case .linuxServer: return "<version>-ls<build>"
        case .release(let prefix, let suffix): return "\(prefix)<major>.<minor>.<patch>\(suffix)"
        }
    }

    private static func isNumber(_ text: Substring) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// An upstream version as linuxserver's pipeline copies it: starts with a digit (or `v` then a digit) and holds
    /// only letters, digits, dots, dashes and `+`.
    private static func isVersionText(_ text: Substring) -> Bool {
        let body = text.first == "v" ? text.dropFirst() : text
        guard let first = body.first, first.isASCII, first.isNumber else { return false }
        return body.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-+".contains($0)) }
    }
}

extension TagScheme {
    /// linuxserver.io images: the pipeline tags each build `EXT_RELEASE_CLEAN + '-ls' + LS_TAG_NUMBER`.
    public static let linuxServer = TagScheme(
        .linuxServer, source: "linuxserver/docker-*: Jenkinsfile (env.META_TAG = env.EXT_RELEASE_CLEAN + '-ls' + …)")

    /// crazymax/fail2ban: the workflow strips the `-rN` rebuild suffix of the git tag (`1.1.0-r6` is published as
    /// `1.1.0`, which moves with each rebuild).
    public static let crazymax = TagScheme(
        .release(prefix: ""),
        source: "crazy-max/docker-fail2ban: .github/workflows/build.yml (type=match,pattern=(.*)-r,group=1);"
            + " README.md \"Supported tags: latest, <version>, edge\"")

    /// Prometheus project images (prom/*): tagged with the git tag `vX.Y.Z`.
    public static let prometheus = TagScheme(
        .release(prefix: "v"),
        source:
            "prometheus/node_exporter: .github/workflows/ci.yml (make docker DOCKER_IMAGE_TAG=${{ github.ref_name }}"
            + " on refs/tags/v*), the same promci pipeline for prometheus, alertmanager and blackbox_exporter")

    /// Official Jellyfin image: `jellyfin/jellyfin:<version>`, no `v`.
    public static let jellyfin = TagScheme(
        .release(prefix: ""),
        source: "jellyfin/jellyfin.org: docs/general/installation/container.md (jellyfin/jellyfin:<version>);"
            + " jellyfin/jellyfin-packaging release checks (docker image jellyfin/jellyfin:{version})")

    /// Seerr: `type=semver,pattern={{raw}}`, the raw git tag `vX.Y.Z`.
    public static let seerr = TagScheme(
        .release(prefix: "v"), source: "seerr-team/seerr: .github/workflows/release.yml (type=semver,pattern={{raw}})")

    /// Recyclarr: `{{version}}` of the semver, without the git tag's `v`.
    public static let recyclarr = TagScheme(
        .release(prefix: ""),
        source: "recyclarr/recyclarr: .github/workflows/reusable-docker.yml (type=semver … pattern={{version}})")

    /// Watchtower fork: goreleaser `{{ .Version }}`, the git tag without its `v`.
    public static let watchtower = TagScheme(
        .release(prefix: ""),
        source: "nicholas-fedor/watchtower: build/goreleaser/stable.yaml (tags: \"{{ .Version }}\")")

    /// docker-borgmatic: `type=semver,pattern={{version}}` of the borgmatic version.
    public static let borgmatic = TagScheme(
        .release(prefix: ""),
        source: "borgmatic-collective/docker-borgmatic: .github/workflows/build_new_version.yml"
            + " (type=semver,pattern={{version}})")

    /// Homepage: `type=semver,pattern=v{{version}}`.
    public static let homepage = TagScheme(
        .release(prefix: "v"),
        source: "gethomepage/homepage: .github/workflows/docker-publish.yml (type=semver,pattern=v{{version}})")

    /// Dozzle: `type=semver,pattern={{version}},prefix=v`.
    public static let dozzle = TagScheme(
        .release(prefix: "v"),
        source: "amir20/dozzle: .github/workflows/deploy.yml (type=semver,pattern={{version}},prefix=v)")

    /// File Browser: goreleaser `{{ .Tag }}`, the git tag `vX.Y.Z`.
    public static let filebrowser = TagScheme(
        .release(prefix: "v"), source: "filebrowser/filebrowser: .goreleaser.yml (dockers_v2 tags: \"{{ .Tag }}\")")

    /// Grafana: `grafana/grafana:<version>`, no `v`.
    public static let grafana = TagScheme(
        .release(prefix: ""),
        source: "grafana.com/docs/grafana/latest/setup-grafana/installation/docker (grafana/grafana:<version>)")

    /// cAdvisor on ghcr.io: both `X.Y.Z` and `vX.Y.Z` are pushed; the catalog uses the bare one.
    public static let cadvisor = TagScheme(
        .release(prefix: ""),
        source: "google/cadvisor: .github/workflows/publish-container.yml (type=semver,pattern={{version}} and"
            + " pattern=v{{version}})")

    /// exportarr up to v2: `type=semver,pattern={{version}},prefix=v`. (Its main branch drops the `v` for v3.)
    public static let exportarr = TagScheme(
        .release(prefix: "v"),
        source: "onedr0p/exportarr v2.3.0: .github/actions/docker-image/action.yaml"
            + " (type=semver,pattern={{version}},prefix=v)")

    /// The official Caddy image: `<version>-alpine`, the Alpine variant of each release.
    public static let caddy = TagScheme(
        .release(prefix: "", suffix: "-alpine"),
        source:
            "caddyserver/caddy-docker: stackbrew-config.yaml (tags <version> with the alpine variant <version>-alpine)")

    /// The official Authelia image: the release number without the `v`.
    public static let authelia = TagScheme(
        .release(prefix: ""), source: "authelia/authelia: .buildkite/hooks/post-command (x.y.z tags on Docker Hub)")
}
