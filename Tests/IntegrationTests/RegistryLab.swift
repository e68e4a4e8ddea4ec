import Foundation
import MediaStackOperations
import TestKit
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A real OCI registry on loopback (Debian's docker-registry 2.8) behind the anonymous bearer-token flow, with our
/// token server (scripts/fixtures/registry_token_server.py) as its realm. Images are pushed through the registry's own
/// upload API; everything stops when the lab is released, and dies with the test run. Both servers listen on free
/// loopback ports.
final class RegistryLab: @unchecked Sendable {
    let folder: URL
    private(set) var registryPort = 0
    private(set) var tokenPort = 0
    let service = "mediaserver-test-registry"
    private var servers: [FixtureServer] = []

    /// The registry's API base URL.
    var endpoint: URL { URL(string: "http://127.0.0.1:\(registryPort)")! }
    /// The host name images in this registry carry.
    var host: String { "127.0.0.1:\(registryPort)" }

    /// Starts the token server and the registry; nil (after recording an issue when tools are required) without
    /// docker-registry or openssl.
    static func start() throws -> RegistryLab? {
        guard let registry = IntegrationSupport.tool("docker-registry"), IntegrationSupport.tool("openssl") != nil
        else { return nil }
        let lab = try RegistryLab()
        try lab.launch(registry: registry)
        return lab
    }

    private init() throws {
        folder = try Scratch.folder("mediaserver-registry")
    }

    private func launch(registry: String) throws {
        let key = folder.appendingPathComponent("token.key").path
        let cert = folder.appendingPathComponent("token.crt").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
            "-subj", "/CN=mediaserver-test-token",
        ]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else { throw LabError("openssl could not make the token certificate") }
        let token = try FixtureServer.python(
            "token server", "scripts/fixtures/registry_token_server.py", ["0", key, cert, "mediaserver-test-token"])
        servers.append(token)
        tokenPort = token.port
        // docker-registry reads its address from the config: a port free now.
        registryPort = try ReservedPort.free()

        // The registry's `auth: token` section (distribution v2.8.2 registry/auth/token/accesscontroller.go: realm,
        // service, issuer, rootcertbundle).
        let config = """
            version: 0.1
            log:
              level: error
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: \(folder.appendingPathComponent("data").path)
            http:
              addr: 127.0.0.1:\(registryPort)
            auth:
              token:
                realm: http://127.0.0.1:\(tokenPort)/token
                service: \(service)
                issuer: mediaserver-test-token
                rootcertbundle: \(cert)

            """
        let configPath = folder.appendingPathComponent("registry.yml")
        try config.write(to: configPath, atomically: true, encoding: .utf8)

        servers.append(
            try FixtureServer(
                "docker-registry", registry, ["serve", configPath.path], readyPorts: 0, stopsOnEOF: false,
                log: FileHandle.nullDevice))
        // Ready when /v2/ answers (401 with the challenge).
        for _ in 0..<TestTime.polls(every: .milliseconds(100)) {
            if let status = try? send(URLRequest(url: endpoint.appendingPathComponent("v2/"))).1, status == 401 {
                return
            }
            usleep(100_000)
        }
        throw LabError("docker-registry did not answer on 127.0.0.1:\(registryPort)")
    }

    /// Pushes a small image (an OCI config and manifest) under each of `tags`, as a client with push rights would.
    func push(_ name: String, tags: [String]) throws {
        let token = try pushToken(name)
        let config = Data(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
        let configDigest = try upload(name, blob: config, token: token)
        let manifest = Data(
            """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
            "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\(configDigest)",\
            "size":\(config.count)},"layers":[]}
            """.utf8)
        for tag in tags {
            var request = URLRequest(url: endpoint.appendingPathComponent("v2/\(name)/manifests/\(tag)"))
            request.httpMethod = "PUT"
            request.httpBody = manifest
            request.setValue("application/vnd.oci.image.manifest.v1+json", forHTTPHeaderField: "Content-Type")
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            let (_, status) = try send(request)
            guard status == 201 else { throw LabError("PUT manifest \(name):\(tag) answered \(status)") }
        }
    }

    private func pushToken(_ name: String) throws -> String {
        var components = URLComponents(string: "http://127.0.0.1:\(tokenPort)/token")!
        components.queryItems = [
            URLQueryItem(name: "service", value: service),
            URLQueryItem(name: "scope", value: "repository:\(name):pull,push"),
        ]
        let (data, status) = try send(URLRequest(url: components.url!))
        struct Answer: Decodable { let token: String }
        guard status == 200 else { throw LabError("token server answered \(status)") }
        return try JSONDecoder().decode(Answer.self, from: data).token
    }

    /// A monolithic blob upload: POST …/blobs/uploads/, then PUT <Location>&digest=… with the bytes.
    private func upload(_ name: String, blob: Data, token: String) throws -> String {
        let digest = "sha256:" + Self.sha256(blob)
        var start = URLRequest(url: endpoint.appendingPathComponent("v2/\(name)/blobs/uploads/"))
        start.httpMethod = "POST"
        start.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (_, status, location) = try sendWithLocation(start)
        guard status == 202, let location else { throw LabError("blob upload start answered \(status)") }
        let separator = location.contains("?") ? "&" : "?"
        guard let target = URL(string: location + separator + "digest=\(digest)", relativeTo: endpoint) else {
            throw LabError("bad upload location \(location)")
        }
        var put = URLRequest(url: target.absoluteURL)
        put.httpMethod = "PUT"
        put.httpBody = blob
        put.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
        put.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (_, putStatus) = try send(put)
        guard putStatus == 201 else { throw LabError("blob upload answered \(putStatus)") }
        return digest
    }

    static func sha256(_ data: Data) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try? process.run()
        input.fileHandleForWriting.write(data)
        try? input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return String(text.prefix(64))
    }

    /// A blocking request (the lab's setup runs before the async code under test).
    private func send(_ request: URLRequest) throws -> (Data, Int) {
        let (data, status, _) = try sendWithLocation(request)
        return (data, status)
    }

    private func sendWithLocation(_ request: URLRequest) throws -> (Data, Int, String?) {
        let box = ResultBox()
        let semaphore = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            let http = response as? HTTPURLResponse
            box.value = (data ?? Data(), http?.statusCode ?? -1, http?.value(forHTTPHeaderField: "Location"), error)
            semaphore.signal()
        }.resume()
        semaphore.wait()
        guard let value = box.value else { throw LabError("no answer") }
        if let error = value.3 { throw error }
        return (value.0, value.1, value.2)
    }

    private final class ResultBox: @unchecked Sendable {
        var value: (Data, Int, String?, (any Error)?)?
    }

    func stop() {
        for server in servers.reversed() { server.stop() }
        servers = []
        try? FileManager.default.removeItem(at: folder)
    }

    deinit { stop() }
}

/// The paginating, rate-limiting tag endpoint of scripts/fixtures/oci_tags_stand_in.py.
final class TagListStandIn: @unchecked Sendable {
    let server: FixtureServer
    var port: Int { server.port }
    let folder: URL

    var endpoint: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// Starts the stand-in on a free loopback port.
    init(pageSize: Int, repositories: [String: [String]]) throws {
        folder = try Scratch.folder("mediaserver-tags")
        let file = folder.appendingPathComponent("tags.json")
        try JSONEncoder().encode(repositories).write(to: file)
        server = try FixtureServer.python(
            "tag-list stand-in", "scripts/fixtures/oci_tags_stand_in.py", ["0", String(pageSize), file.path])
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(at: folder)
    }
}

struct LabError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
