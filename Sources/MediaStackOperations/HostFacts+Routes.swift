import Foundation

extension HostFacts {
    /// One IPv4 route of the host's main table: the interface and the destination network.
    public struct Route: Hashable, Sendable {
        public let interface: String
        /// The network address, most significant octet first (192.168.1.0 is 0xC0A8_0100).
        public let destination: UInt32
        public let mask: UInt32

        /// Whether this route's network and `base`/`mask` share an address.
        public func overlaps(base: UInt32, mask other: UInt32) -> Bool {
            let common = mask & other
            return destination & common == base & common
        }

        /// `a.b.c.d/n`, for messages.
        public var cidr: String {
            let octets = [24, 16, 8, 0].map { String(destination >> UInt32($0) & 0xFF) }
            return "\(octets.joined(separator: "."))/\(mask.nonzeroBitCount)"
        }
    }

    /// The host's IPv4 routes but the default one, from `/proc/net/route` (the kernel prints each address as the
    /// 32-bit value in host byte order, in hex); empty when the file cannot be read.
    public func ipv4Routes() -> [Route] {
        guard let text = try? String(contentsOfFile: fileSystemRoot + "/proc/net/route", encoding: .utf8) else {
            return []
        }
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            guard fields.count >= 8, let destination = UInt32(fields[1], radix: 16),
                let mask = UInt32(fields[7], radix: 16), mask != 0
            else { return nil }
            return Route(interface: String(fields[0]), destination: destination.bigEndian, mask: mask.bigEndian)
        }
    }
}
