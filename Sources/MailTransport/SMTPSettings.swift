/// Where and how to reach the SMTP relay, parsed from `CHARTERD_SMTP_URL` (SPEC §9).
///
/// `smtp://user:pass@host:587` requires STARTTLS, `smtps://user:pass@host` uses TLS from the first byte (port 465
/// by default), and `?starttls=off` sends in the clear, which is allowed only to a loopback relay so credentials and
/// reports never cross a network unencrypted. The `description` never shows the password, so the settings can be
/// logged at start-up.
public struct SMTPSettings: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// How the connection is protected.
    public enum Security: String, Sendable, Hashable {
        /// `smtp://`: plain TCP, then STARTTLS before anything else is said (RFC 3207). Default port 587.
        case startTLS
        /// `smtps://`: TLS from the first byte (RFC 8314). Default port 465.
        case implicitTLS
        /// `smtp://…?starttls=off`: no TLS at all; only to a loopback relay.
        case none
    }

    /// The relay's host name or IP address (IPv6 without brackets).
    public var host: String
    /// The relay's port. Default: 587 for `smtp://`, 465 for `smtps://`.
    public var port: Int
    /// How the connection is protected. Default: from the URL's scheme.
    public var security: Security
    /// The user name for AUTH, percent-decoded; `nil` (the default) sends without authenticating.
    public var username: String?
    /// The password for AUTH, percent-decoded. Never printed.
    public var password: String?
    /// A PEM file of extra CA certificates to trust besides the system's, for a relay with a private CA (and for
    /// tests). Default: `nil`, the system's trust store only.
    public var trustedCertificatePath: String?
    /// The name given in EHLO. Default: `nil`, the machine's host name.
    public var ehloName: String?
    /// How long to wait for the TCP connection. Default: 30 seconds.
    public var connectTimeout: Duration
    /// How long to wait for each reply. Default: 5 minutes, RFC 5321 §4.5.3.2's minimum for MAIL and RCPT.
    public var commandTimeout: Duration
    /// How long sending the message data and waiting for its reply may take. Default: 10 minutes, RFC 5321's
    /// minimum for the end-of-data reply.
    public var dataTimeout: Duration

    /// Settings for a relay, with the defaults above.
    public init(
        host: String,
        port: Int? = nil,
        security: Security = .startTLS,
        username: String? = nil,
        password: String? = nil
    ) {
        self.host = host
        self.port = port ?? (security == .implicitTLS ? 465 : 587)
        self.security = security
        self.username = username
        self.password = password
        self.trustedCertificatePath = nil
        self.ehloName = nil
        self.connectTimeout = .seconds(30)
        self.commandTimeout = .seconds(5 * 60)
        self.dataTimeout = .seconds(10 * 60)
    }

    /// Parses `CHARTERD_SMTP_URL`.
    ///
    /// - Throws: ``MailTransportError`` with ``MailTransportError/Code/invalidSettings`` and a sentence saying
    ///   what is wrong; the sentence never repeats the password.
    public init(url: String) throws {
        func invalid(_ sentence: String) -> MailTransportError {
            MailTransportError(code: .invalidSettings, failure: .permanent, message: sentence)
        }
        let security: Security
        let rest: Substring
        if url.hasPrefix("smtp://") {
            security = .startTLS
            rest = url.dropFirst("smtp://".count)
        } else if url.hasPrefix("smtps://") {
            security = .implicitTLS
            rest = url.dropFirst("smtps://".count)
        } else {
            throw invalid("CHARTERD_SMTP_URL must start with smtp:// (STARTTLS) or smtps:// (implicit TLS).")
        }

        // The authority ends at the first "/" or "?" after the last "@", so a password may hold a raw "@".
        let authorityAndMore = rest
        let userInfoEnd = authorityAndMore.lastIndex(of: "@")
        let hostStart = userInfoEnd.map { authorityAndMore.index(after: $0) } ?? authorityAndMore.startIndex
        let authorityEnd = authorityAndMore[hostStart...].firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let hostPort = authorityAndMore[hostStart..<authorityEnd]
        let tail = authorityAndMore[authorityEnd...]

        var username: String?
        var password: String?
        if let userInfoEnd {
            let userInfo = authorityAndMore[..<userInfoEnd]
            let user: Substring
            if let colon = userInfo.firstIndex(of: ":") {
                user = userInfo[..<colon]
                guard let decoded = Self.percentDecoded(userInfo[userInfo.index(after: colon)...]) else {
                    throw invalid("The password in CHARTERD_SMTP_URL has a malformed percent escape.")
                }
                password = decoded
            } else {
                user = userInfo
            }
            guard let decodedUser = Self.percentDecoded(user), !decodedUser.isEmpty else {
                throw invalid("The user name in CHARTERD_SMTP_URL is empty or has a malformed percent escape.")
            }
            username = decodedUser
        }

        let host: String
        let portText: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else {
                throw invalid("The IPv6 address in CHARTERD_SMTP_URL lacks its closing \"]\".")
            }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let afterHost = hostPort[hostPort.index(after: close)...]
            if afterHost.isEmpty {
                portText = nil
            } else if afterHost.hasPrefix(":") {
                portText = afterHost.dropFirst()
            } else {
                throw invalid("CHARTERD_SMTP_URL has text after the IPv6 address that is not a port.")
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            portText = hostPort[hostPort.index(after: colon)...]
        } else {
            host = String(hostPort)
            portText = nil
        }
        guard !host.isEmpty else {
            throw invalid("CHARTERD_SMTP_URL names no host.")
        }
        var port: Int?
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number),
                portText.allSatisfy({ $0.isASCII && $0.isNumber })
            else {
                throw invalid("The port in CHARTERD_SMTP_URL must be a number from 1 to 65535.")
            }
            port = number
        }

        var startTLSOff = false
        var path = tail
        if let question = tail.firstIndex(of: "?") {
            path = tail[..<question]
            for parameter in tail[tail.index(after: question)...].split(separator: "&") {
                switch parameter.lowercased() {
                case "starttls=off": startTLSOff = true
                case "starttls=on", "starttls=required": startTLSOff = false
                default:
                    throw invalid(
                        "CHARTERD_SMTP_URL has an unknown parameter \"\(parameter)\"; only starttls=off is understood."
                    )
                }
            }
        }
        guard path.isEmpty || path == "/" else {
            throw invalid("CHARTERD_SMTP_URL must not have a path after the host and port.")
        }

        var finalSecurity = security
        if startTLSOff {
            guard security == .startTLS else {
                throw invalid("starttls=off applies to smtp:// only; smtps:// always uses TLS.")
            }
            guard Self.isLoopback(host) else {
                throw invalid(
                    "starttls=off is allowed only for a relay on this machine (localhost, 127.0.0.0/8 or ::1), "
                        + "not for \(host), so that passwords and reports never cross a network unencrypted."
                )
            }
            finalSecurity = .none
        }
        self.init(host: host, port: port, security: finalSecurity, username: username, password: password)
    }

    /// The URL with the password replaced by `***`, safe for logs.
    public var description: String {
        let scheme = self.security == .implicitTLS ? "smtps" : "smtp"
        var userInfo = ""
        if let username = self.username {
            userInfo = username + (self.password == nil ? "" : ":***") + "@"
        }
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        let query = self.security == .none ? "?starttls=off" : ""
        return "\(scheme)://\(userInfo)\(host):\(self.port)\(query)"
    }

    /// The same as `description`: the password is never printed, not even for debugging.
    public var debugDescription: String { self.description }

    /// Whether `host` names this machine: `localhost`, 127.0.0.0/8 or `::1`.
    static func isLoopback(_ host: String) -> Bool {
        let lowered = host.lowercased()
        if lowered == "localhost" || lowered.hasSuffix(".localhost") { return true }
        if lowered == "::1" || lowered == "0:0:0:0:0:0:0:1" { return true }
        let octets = lowered.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return false }
        let values = octets.compactMap { octet -> Int? in
            guard !octet.isEmpty, octet.count <= 3, octet.allSatisfy(\.isASCII) else { return nil }
            return Int(octet).flatMap { (0...255).contains($0) ? $0 : nil }
        }
        return values.count == 4 && values[0] == 127
    }

    /// Decodes `%XX` escapes as UTF-8; `nil` when an escape is malformed or the bytes are not UTF-8.
    static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var utf8 = text.utf8.makeIterator()
        while let byte = utf8.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = utf8.next().flatMap(Self.hexValue), let low = utf8.next().flatMap(Self.hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
