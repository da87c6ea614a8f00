import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Tells systemd how charterd is doing over the sd_notify datagram protocol, without libsystemd.
///
/// systemd (`Type=notify`) passes the socket in `NOTIFY_SOCKET`: a path, or with a leading `@` a name
/// in the abstract namespace. Each message is one datagram of `NAME=value` lines (`READY=1`,
/// `STOPPING=1`, `WATCHDOG=1`, `STATUS=…`). With no `NOTIFY_SOCKET` — run by hand, or by a test — every
/// call does nothing. A send is one small datagram on a fresh socket, as libsystemd does it: cheap, but
/// a blocking system call, so it is made at start, at stop and from the watchdog loop, never per request.
public struct SystemdNotifier: Sendable {
    /// Where the datagrams go.
    public enum Address: Sendable, Equatable {
        /// A socket file.
        case path(String)
        /// A name in Linux's abstract socket namespace (`NOTIFY_SOCKET=@name`).
        case abstract(String)
    }

    /// The socket from `NOTIFY_SOCKET`; nil when unset (every notification is then a no-op).
    public let address: Address?
    /// How often to send `WATCHDOG=1`: half of `WATCHDOG_USEC`, as sd_watchdog_enabled advises; nil when
    /// systemd watches no process, or another process (`WATCHDOG_PID` naming a different pid).
    public let watchdogInterval: Duration?

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID`; `pid` is this process's id (nil: ours).
    ///
    /// A `NOTIFY_SOCKET` that is neither an absolute path nor `@name` (systemd's `vsock:` sockets, say)
    /// is refused, so a misconfiguration is reported instead of readiness never arriving.
    public init(environment: [String: String], pid: Int32? = nil) throws {
        if let socket = environment["NOTIFY_SOCKET"], !socket.isEmpty {
            let address: Address
            if socket.hasPrefix("@") {
                address = .abstract(String(socket.dropFirst()))
            } else if socket.hasPrefix("/") {
                address = .path(socket)
            } else {
                throw SystemdNotifierError("NOTIFY_SOCKET \"\(socket)\" is neither an absolute path nor @name")
            }
            // sun_path holds 108 bytes, a path's terminating NUL included.
            guard socket.utf8.count <= 107 else {
                throw SystemdNotifierError("NOTIFY_SOCKET is longer than a Unix socket address may be")
            }
            self.address = address
        } else {
            self.address = nil
        }
        let watchedPID = environment["WATCHDOG_PID"].flatMap { Int32($0) }
        if address != nil, let text = environment["WATCHDOG_USEC"], let microseconds = Int64(text), microseconds > 0,
            watchedPID == nil || watchedPID == (pid ?? getpid())
        {
            watchdogInterval = .microseconds(microseconds / 2)
        } else {
            watchdogInterval = nil
        }
    }

    /// Whether systemd is listening; false means every notification is a no-op.
    public var isEnabled: Bool { address != nil }

    /// `READY=1` with a status line and our pid: the service is up and serving.
    public func ready(status: String) throws {
        try send("READY=1\nSTATUS=\(status)\nMAINPID=\(getpid())")
    }

    /// A status line for `systemctl status`.
    public func status(_ status: String) throws {
        try send("STATUS=\(status)")
    }

    /// `STOPPING=1`: graceful shutdown has begun.
    public func stopping() throws {
        try send("STOPPING=1\nSTATUS=stopping")
    }

    /// `WATCHDOG=1`: still alive.
    public func watchdog() throws {
        try send("WATCHDOG=1")
    }

    /// Sends one datagram holding `message`; does nothing without `NOTIFY_SOCKET`.
    public func send(_ message: String) throws {
        guard let address else { return }
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw SystemdNotifierError("cannot create a socket", errno: errno) }
        defer { close(descriptor) }

        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        // An abstract name starts with a NUL and is exactly as long as the address length says;
        // a path is NUL-terminated (sockaddr_un() is all zeros, so the terminator is already there).
        let pathBytes: [UInt8]
        switch address {
        case .path(let path): pathBytes = Array(path.utf8)
        case .abstract(let name): pathBytes = [0] + Array(name.utf8)
        }
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { $0.copyBytes(from: pathBytes) }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
        let length: Int
        switch address {
        case .path: length = pathOffset + pathBytes.count + 1
        case .abstract: length = pathOffset + pathBytes.count
        }

        let bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &socketAddress) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketPointer in
                bytes.withUnsafeBytes { buffer in
                    sendto(
                        descriptor, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), socketPointer,
                        socklen_t(length))
                }
            }
        }
        guard sent == bytes.count else {
            throw SystemdNotifierError("cannot send to NOTIFY_SOCKET", errno: errno)
        }
    }
}

/// A notification systemd could not be sent, with the reason.
public struct SystemdNotifierError: Error, Sendable, CustomStringConvertible {
    public var description: String

    init(_ description: String, errno code: Int32? = nil) {
        if let code {
            self.description = description + ": " + String(cString: strerror(code))
        } else {
            self.description = description
        }
    }
}
