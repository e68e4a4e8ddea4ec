import Foundation
import MediaStack
import MediaStackChecks
import MediaStackRendering

#if canImport(Glibc)
    import Glibc
#endif

/// Host checks before and after `up`: each problem is a finding with a one-line fix.
public struct Doctor: Sendable {
    public let stack: Stack
    public let host: HostFacts
    public let runner: any ProcessRunning
    /// The environment `docker compose` runs in when started from this shell (its variables win over `.env`).
    public let environment: [String: String]

    /// The oldest engine we support: `host-gateway` in extra_hosts needs 20.10.
    public static let minimumEngine = (20, 10)

    public init(
        stack: Stack, host: HostFacts = HostFacts(), runner: any ProcessRunning = SubprocessRunner(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.stack = stack
        self.host = host
        self.runner = runner
        self.environment = environment
    }

    public func run() async -> [Finding] {
        var findings = await engine()
        findings += identity()
        findings += directories()
        findings += hardlinks()
        findings += renderDevice()
        findings += freeSpace()
        findings += await ports()
        findings += await firewall()
        findings += networkFilesystems()
        findings += backupRepository()
        findings += frontDoor()
        findings += shellOverrides()
        return findings
    }

    /// The settings the file sets, the rendered Compose files interpolate (`${KEY}`), and this shell also exports.
    /// Compose interpolates from the shell first and from `.env` only for what the shell leaves unset ("Environment
    /// variables from an environment file have lower precedence than those from any other method":
    /// docs.docker.com/compose/how-tos/environment-variables/env-file/ and envvars-precedence/), so an edit of the
    /// file silently does nothing while the variable is exported, and `mediaserver` (which reads the file) and
    /// Compose disagree. Settings written into the files at render (the ports) are not affected. Names the key and
    /// line, never either value.
    func shellOverrides() -> [Finding] {
        let interpolated = Set(
            StackID.allCases.flatMap { id in
                ((try? ComposeRenderer().render(stack, id))?.contents).map { VariableReference.all(in: $0) } ?? []
            }.map(\.name))
        var seen = Set<String>()
        return settings.file.entries.compactMap { entry -> Finding? in
            guard interpolated.contains(entry.key), let exported = environment[entry.key],
                seen.insert(entry.key).inserted
            else { return nil }
            let now =
                exported == (settings[entry.key] ?? entry.value)
                ? "equal to the file's now, but an edit of the file will not take effect"
                : "which differs from the file's: the stack runs with the shell's"
            return Finding(
                .warning, .shellOverridesEnv, subject: entry.key,
                message: "\(entry.key) is exported in this shell and set in \(settings.source):\(entry.line); "
                    + "Compose takes the shell's value (\(now))",
                fix: "`unset \(entry.key)` (and remove it from your shell profile) before running mediaserver or "
                    + "docker compose, so \(settings.source) decides")
        }
    }

    var settings: Settings { stack.settings }
    func value(_ key: SettingKey) -> String { settings[key] }

    func engine() async -> [Finding] {
        var findings: [Finding] = []
        let version = try? await runner.run("docker", ["version", "--format", "{{.Server.Version}}"], timeout: 20)
        if let version, version.succeeded {
            let text = version.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            let parts = text.split(separator: ".").compactMap { Int($0) }
            if parts.count >= 2, (parts[0], parts[1]) < Self.minimumEngine {
                findings.append(
                    Finding(
                        .error, .dockerTooOld, subject: "docker",
                        message: "Docker Engine \(text) is older than 20.10",
                        fix: "upgrade Docker Engine (https://docs.docker.com/engine/install/)"))
            }
        } else {
            findings.append(
                Finding(
                    .error, .dockerUnreachable, subject: "docker",
                    message: "no Docker engine answers (`docker version` failed)",
                    fix: "install Docker Engine and start it (`sudo systemctl start docker`)"))
        }
        if await ComposeCLI.detect(runner: runner) == nil {
            findings.append(
                Finding(
                    .error, .composeMissing, subject: "docker compose", message: "Docker Compose v2 is not installed",
                    fix: "install the compose plugin (`apt-get install docker-compose-plugin`)"))
        }
        return findings
    }

    func identity() -> [Finding] {
        var findings: [Finding] = []
        if let uid = UInt32(value(.puid)) {
            if uid == 0 {
                findings.append(
                    Finding(
                        .warning, .rootApps, subject: "PUID", message: "PUID=0 runs the apps as root",
                        fix: "create a media user and set PUID/PGID to its ids (`id -u media`)"))
            } else if !host.userExists(uid) {
                findings.append(
                    Finding(
                        .warning, .unknownUser, subject: "PUID", message: "no user has id \(uid) on this host",
                        fix: "create one (`sudo useradd -u \(uid) media`) or set PUID to an existing id"))
            }
        }
        if let gid = UInt32(value(.pgid)), gid != 0, !host.groupExists(gid) {
            findings.append(
                Finding(
                    .warning, .unknownGroup, subject: "PGID", message: "no group has id \(gid) on this host",
                    fix: "create one (`sudo groupadd -g \(gid) media`) or set PGID to an existing id"))
        }
        return findings
    }

    func directories() -> [Finding] {
        var missing: [String] = []
        var findings: [Finding] = []
        for entry in HostDirectories(stack: stack).entries() {
            guard let owner = host.owner(of: entry.path) else {
                missing.append(entry.path)
                continue
            }
            guard let uid = entry.uid, owner.uid != uid else { continue }
            findings.append(
                Finding(
                    .warning, .wrongOwner, subject: entry.path,
                    message: "is owned by uid \(owner.uid), but the service writing it runs as \(uid)",
                    fix: "sudo chown -R \(uid):\(entry.gid ?? uid) '\(entry.path)'"))
        }
        if !missing.isEmpty {
            // Report the topmost missing folders only; their subfolders follow from them.
            let tops = missing.filter { path in !missing.contains { path.hasPrefix($0 + "/") } }
            findings.insert(
                Finding(
                    .warning, .missingDirectory, subject: tops.joined(separator: ", "),
                    message: "\(missing.count) folder(s) the stack mounts do not exist yet",
                    fix: "`mediaserver up` creates them with the right owners"), at: 0)
        }
        return findings
    }

    /// Downloads and media must be one filesystem so the apps can hardlink and move atomically: proved by linking.
    func hardlinks() -> [Finding] {
        let root = value(.dataRoot)
        let downloads = "\(root)/usenet"
        let media = "\(root)/media"
        guard FileManager.default.fileExists(atPath: downloads), FileManager.default.fileExists(atPath: media) else {
            return []
        }
        let probe = "\(downloads)/.mediaserver-hardlink-\(getpid())"
        let link = "\(media)/.mediaserver-hardlink-\(getpid())"
        defer {
            unlink(link)
            unlink(probe)
        }
        guard FileManager.default.createFile(atPath: probe, contents: Data("x".utf8)) else {
            return [
                Finding(
                    .warning, .hardlinkUntested, subject: downloads, message: "cannot write a test file here",
                    fix: "run `mediaserver doctor` as the owner of \(root) or as root")
            ]
        }
        guard Glibc.link(probe, link) == 0 else {
            let reason = String(cString: strerror(errno))
            return [
                Finding(
                    .error, .noHardlinks, subject: root,
                    message:
                        "\(downloads) and \(media) cannot share a hard link (\(reason)): imports copy instead of moving",
                    fix: "keep usenet/ and media/ on one filesystem under DATA_ROOT (no separate mounts)")
            ]
        }
        return []
    }

    func renderDevice() -> [Finding] {
        let device = value(.transcodeDevice)
        let uses = stack.services.filter { service in
            !device.isEmpty && service.devices.contains { $0.hasPrefix(device + ":") }
        }
        guard !uses.isEmpty else { return [] }
        let names = uses.map(\.name.rawValue).joined(separator: ", ")
        guard FileManager.default.fileExists(atPath: host.fileSystemRoot + device) else {
            return [
                Finding(
                    .error, .noGpu, subject: device,
                    message: "\(device) does not exist, and Compose refuses to start \(names) with a missing device",
                    fix: "install the GPU driver, or set TRANSCODE_DEVICE= (empty) in .env and run `mediaserver render`"
                )
            ]
        }
        if let detected = host.renderGroupID(), String(detected) != value(.renderGID) {
            return [
                Finding(
                    .warning, .renderGid, subject: "RENDER_GID",
                    message: "\(device) belongs to group \(detected), but RENDER_GID=\(value(.renderGID))",
                    fix: "set RENDER_GID=\(detected) in .env")
            ]
        }
        return []
    }

    func freeSpace() -> [Finding] {
        [SettingKey.configRoot, .dataRoot, .backupRoot].compactMap { key -> Finding? in
            var path = value(key)
            while !FileManager.default.fileExists(atPath: path), path != "/" {
                path = (path as NSString).deletingLastPathComponent
            }
            guard let space = host.space(of: path), space.total > 0 else { return nil }
            let percent = Double(space.free) / Double(space.total) * 100
            let gib = Double(space.free) / 1_073_741_824
            guard percent < 10 || gib < 5 else { return nil }
            return Finding(
                percent < 3 ? .error : .warning, .lowSpace, subject: key.rawValue,
                message: String(format: "%@ has %.1f GiB free (%.0f%%)", path, gib, percent),
                fix: "free space or move \(key) to a larger disk")
        }
    }

    /// Host ports that something else already holds; the stack's own running containers are not counted.
    func ports() async -> [Finding] {
        let running =
            (try? await runner.run("docker", ["ps", "--format", "{{.Names}}"], timeout: 20))
            .map { Set($0.standardOutput.split(separator: "\n").map(String.init)) } ?? []
        let address = value(.lanIP)
        var findings: [Finding] = []
        // A bind on an address of no interface fails with EADDRNOTAVAIL for every port: one finding, not one per port.
        let lanOnHost = host.portState(0, address: address) != .addressNotOnHost
        if !lanOnHost {
            findings.append(
                Finding(
                    .error, .lanIPNotOnHost, subject: "LAN_IP=\(address)",
                    message: "\(address) is not an address of this host, so no port can be published on it",
                    fix: "set LAN_IP in .env to one of this host's addresses (`ip -4 addr`), then `mediaserver render`")
            )
        }
        for service in stack.services where !running.contains(service.containerName) {
            for port in service.ports {
                let bound = port.loopbackOnly ? "127.0.0.1" : address
                guard port.loopbackOnly || lanOnHost,
                    !host.isPortFree(port.hostPort.value, address: bound, udp: port.proto == .udp)
                else { continue }
                findings.append(
                    Finding(
                        .error, .portInUse, subject: "\(bound):\(port.hostPort)/\(port.proto.rawValue)",
                        message: "\(service.name) needs it, but another program listens there",
                        fix: "stop that program (`sudo ss -ltnp 'sport = :\(port.hostPort)'`) or set \(port.settingKey)"
                    ))
            }
            for port in service.hostPorts
            where !host.isPortFree(port.port.value, address: "0.0.0.0", udp: port.proto == .udp) {
                findings.append(
                    Finding(
                        .error, .portInUse, subject: "\(port.port)/\(port.proto.rawValue)",
                        message: "\(service.name) (host network) needs it for \(port.purpose), but it is taken",
                        fix: "stop the program holding it (`sudo ss -lnp 'sport = :\(port.port)'`)"))
            }
        }
        return findings
    }

    func firewall() async -> [Finding] {
        guard SubprocessRunner.locate("ufw") != nil,
            let output = try? await runner.run("ufw", ["status"], timeout: 10),
            output.standardOutput.contains("Status: active")
        else { return [] }
        return [
            Finding(
                .warning, .ufwBypass, subject: "ufw",
                message: "UFW is active, but Docker-published ports bypass its rules (Docker writes its own chains)",
                fix:
                    "rely on LAN_IP binding and DOCKER-USER rules (docs/security.md), not on UFW, for the stack's ports"
            )
        ]
    }

    func networkFilesystems() -> [Finding] {
        let network: Set<String> = ["nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "9p"]
        guard let mount = host.mount(containing: value(.configRoot)), network.contains(mount.type) else { return [] }
        return [
            Finding(
                .warning, .configOnNetworkFs, subject: "CONFIG_ROOT",
                message:
                    "\(value(.configRoot)) is on \(mount.type) (\(mount.point)); the apps' SQLite databases corrupt there",
                fix: "keep CONFIG_ROOT on a local disk; put only DATA_ROOT on the network share")
        ]
    }

    func backupRepository() -> [Finding] {
        guard stack.isEnabled(.borgmatic) else { return [] }
        let root = value(.backupRoot)
        let config = (try? String(contentsOfFile: "\(root)/config", encoding: .utf8)) ?? ""
        guard !config.contains("[repository]") else { return [] }
        return [
            Finding(
                .warning, .backupUninitialised, subject: root, message: "no Borg repository here yet",
                fix: "after `mediaserver up`: mediaserver backup init, then export the key (docs/restore.md)")
        ]
    }
}
