import Foundation
import MediaStackOperations

/// A Plex metadata tree as Plex lays it out (`Metadata/<section>/<hex>/<hash>.bundle/Contents/…`): bundles of ten
/// small files of 200 to 3,000 bytes of incompressible data, plus thumbnails and transcoder cache the excludes leave
/// out (a tenth as many again).
enum PlexTree {
    static let root = "plex/config/Library/Application Support/Plex Media Server"

    struct Summary {
        var files = 0
        var excluded = 0
        var bytes: Int64 = 0
    }

    static func generate(in sources: String, files: Int) throws -> Summary {
        var summary = Summary()
        var random = SplitMix(seed: 42)
        var buffer = [UInt8](repeating: 0, count: 4096)
        func write(_ path: String, size: Int) throws {
            for index in stride(from: 0, to: size, by: 8) {
                var value = random.next()
                for byte in 0..<min(8, size - index) {
                    buffer[index + byte] = UInt8(truncatingIfNeeded: value)
                    value >>= 8
                }
            }
            let file = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard file >= 0 else {
                throw Failure(message: "cannot create \(path): \(String(cString: strerror(errno)))")
            }
            defer { close(file) }
            guard buffer.withUnsafeBytes({ Glibc.write(file, $0.baseAddress, size) }) == size else {
                throw Failure(message: "cannot write \(path)")
            }
            summary.bytes += Int64(size)
        }
        func folder(_ path: String) throws {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        func hash() -> String {
            String(
                format: "%016llx%016llx%08x", random.next(), random.next(), UInt32(truncatingIfNeeded: random.next()))
        }
        let plex = sources + "/" + root
        let layout = [
            ("_combined", ["Info.xml"]),
            ("_combined/posters", ["com.plexapp.agents.imdb_", "com.plexapp.agents.imdb_"]),
            ("_combined/art", ["com.plexapp.agents.themoviedb_"]), ("com.plexapp.agents.imdb", ["Info.xml"]),
            ("com.plexapp.agents.imdb/posters", ["", ""]), ("com.plexapp.agents.localmedia", ["Info.xml"]),
            ("com.plexapp.agents.none", ["Info.xml", "Info.xml.bak"]),
        ]
        var bundle = 0
        while summary.files < files {
            let section = bundle % 3 == 0 ? "TV Shows" : "Movies"
            let name = hash()
            let contents = "\(plex)/Metadata/\(section)/\(name.prefix(1))/\(name.dropFirst()).bundle/Contents"
            for (sub, entries) in layout where summary.files < files {
                try folder(contents + "/" + sub)
                for entry in entries where summary.files < files {
                    let file = entry.hasSuffix("_") || entry.isEmpty ? entry + hash() : entry
                    try write("\(contents)/\(sub)/\(file)", size: 200 + Int(random.next() % 2800))
                    summary.files += 1
                }
            }
            if bundle % 5 == 0 {
                // Regenerable: video thumbnails and the photo transcoder's cache.
                let media = "\(plex)/Media/localhost/\(name.prefix(1))/\(name.dropFirst()).bundle/Contents/Thumbnails"
                try folder(media)
                try write(media + "/thumb1.jpg", size: 200 + Int(random.next() % 2800))
                let cache = "\(plex)/Cache/PhotoTranscoder/\(name.prefix(2))"
                try folder(cache)
                try write("\(cache)/\(name).jpg", size: 200 + Int(random.next() % 2800))
                summary.excluded += 2
            }
            bundle += 1
        }
        return summary
    }

    /// Writes `mebibytes` of incompressible data to `path`.
    static func incompressible(_ path: String, mebibytes: Int) throws {
        var random = SplitMix(seed: 7)
        var chunk = [UInt64](repeating: 0, count: 1 << 17)  // 1 MiB
        let file = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard file >= 0 else { throw Failure(message: "cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(file) }
        for _ in 0..<mebibytes {
            for index in chunk.indices { chunk[index] = random.next() }
            guard chunk.withUnsafeBytes({ write(file, $0.baseAddress, $0.count) }) == 1 << 20 else {
                throw Failure(message: "cannot write \(path)")
            }
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// A small, fast generator of reproducible pseudo-random numbers.
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
