extension Settings {
    /// Whether `LAN_IP` is a loopback address (127.0.0.0/8, `::1`): the published ports then stay on this machine.
    public var bindsToLoopback: Bool {
        let lan = self[.lanIP]
        return lan.hasPrefix("127.") || lan == "::1"
    }
}
