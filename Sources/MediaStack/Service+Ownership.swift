extension Service {
    /// Image users that are fixed by the image rather than chosen through PUID/PGID or `user:`.
    static let fixedImageUsers: [String: (uid: UInt32, gid: UInt32)] = [
        // Seerr runs as `node` (1000:1000) and must own /app/config.
        "ghcr.io/seerr-team/seerr": (1000, 1000)
    ]

    /// Who must own the host folders this service writes to (its config folder and media mounts), or nil when the
    /// image runs as root and any owner works.
    public func dataOwner(puid: UInt32, pgid: UInt32) -> (uid: UInt32, gid: UInt32)? {
        switch identity {
        case .linuxServer, .puidPgid, .user: return (puid, pgid)
        case .imageDefault: return Self.fixedImageUsers[image.repository]
        }
    }
}
