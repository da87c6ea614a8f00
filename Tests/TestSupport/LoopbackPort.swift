import Foundation

/// Loopback ports for tests that need one before a server (or nothing) listens on it.
public enum LoopbackPort {
    /// A TCP socket bound to a free loopback port, without `listen()`: connecting to it is refused, and
    /// nobody else gets the port while the descriptor is open. Nil if no port could be bound.
    public static func boundNotListening() -> (descriptor: Int32, port: Int)? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            return nil
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// A loopback port nobody is listening on now (the kernel's choice, released at once): for a program
    /// that takes a fixed port to listen on. Another process could take it first, which a test's own
    /// short window makes unlikely.
    public static func free() -> Int? {
        guard let (descriptor, port) = boundNotListening() else { return nil }
        close(descriptor)
        return port
    }
}
