import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An AF_UNIX datagram socket standing in for systemd's notify socket: every datagram it receives
/// arrives in `messages`, parsed into its `NAME=value` lines.
///
/// A thread of its own blocks in `recv`, so nothing polls; `finish()` shuts the socket down, which
/// wakes that `recv` and ends `messages`.
final class NotifySocketListener: Sendable {
    /// The value for `NOTIFY_SOCKET`: the path, or `@name` for the abstract namespace.
    let notifySocket: String
    let messages: AsyncStream<[String: String]>
    private let descriptor: Int32
    private let path: String?

    /// Binds a socket at `path`, or at a fresh abstract name when `path` is nil.
    init(path: String?) throws {
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        self.descriptor = descriptor
        self.path = path
        let name = path.map { Array($0.utf8) + [0] } ?? ([0] + Array("charterwatch-test-\(UUID().uuidString)".utf8))
        notifySocket = path ?? "@" + String(decoding: name.dropFirst(), as: UTF8.self)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: name) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + name.count - (path == nil ? 0 : 1))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else {
            let code = errno
            close(descriptor)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        let (stream, continuation) = AsyncStream.makeStream(of: [String: String].self)
        messages = stream
        Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                var fields: [String: String] = [:]
                for line in String(decoding: buffer[..<count], as: UTF8.self).split(separator: "\n") {
                    let parts = line.split(separator: "=", maxSplits: 1)
                    fields[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
                }
                continuation.yield(fields)
            }
            continuation.finish()
        }.start()
    }

    /// Stops listening: the reading thread wakes and `messages` ends.
    func finish() {
        shutdown(descriptor, Int32(SHUT_RDWR))
    }

    deinit {
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
        if let path { unlink(path) }
    }
}

extension AsyncStream<[String: String]>.Iterator {
    /// The next message that sets `name` to `value`, or nil if the stream ends first.
    mutating func next(setting name: String, to value: String = "1") async -> [String: String]? {
        while let message = await next() {
            if message[name] == value { return message }
        }
        return nil
    }
}
