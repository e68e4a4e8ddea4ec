import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP port on a loopback address, chosen free by the kernel (bind to port 0, read it back) and held by this
/// process: the socket is bound but never listens, so while the value lives no other program can take the port and
/// every connection to it is refused. Tests use it for a service that must be down, and `free(on:)` for a port a
/// program under test reads from its settings before it starts. Fixed port numbers would meet a second test run on
/// the same machine, or a real server.
final class ReservedPort: @unchecked Sendable {
    let address: String
    let port: Int
    private let descriptor: Int32

    init(on address: String = "127.0.0.1") throws {
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = 0
        guard inet_pton(AF_INET, address, &socketAddress.sin_addr) == 1 else {
            throw LabError("\(address) is not an IPv4 address")
        }
        // Close-on-exec: a server another test starts meanwhile must not inherit the socket, and with it the port.
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw LabError("socket() failed: errno \(errno)") }
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard bound == 0, named == 0 else {
            let code = errno
            close(descriptor)
            throw LabError("cannot bind a free port on \(address): errno \(code)")
        }
        self.address = address
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: socketAddress.sin_port))
    }

    /// A port that is free on `address` now, released for the program the caller starts next. A program that binds
    /// port 0 itself and reports the port is better; this is for programs that read their port from a file.
    static func free(on address: String = "127.0.0.1") throws -> Int {
        try ReservedPort(on: address).port
    }

    /// `count` distinct ports free on `address` now (all held until they are all chosen), released for the caller.
    static func free(_ count: Int, on address: String = "127.0.0.1") throws -> [Int] {
        let held = try (0..<count).map { _ in try ReservedPort(on: address) }
        return held.map(\.port)
    }

    deinit { close(descriptor) }
}
