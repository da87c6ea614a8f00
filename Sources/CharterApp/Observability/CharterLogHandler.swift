public import Foundation
public import Logging
import Synchronization

/// A swift-log handler that writes one logfmt or JSON line per event, for journald.
///
/// Each line has `time` (UTC, milliseconds), `level`, `label`, `message` and the metadata (the
/// logger's, the provider's and the event's, the event's winning). Metadata whose key names a secret
/// (a token, password, cookie, authorization, conninfo, secret or URL of a credentialed service) is
/// written as `[redacted]`: the code never logs such values, and this catches the one that slips in.
public struct CharterLogHandler: LogHandler {
    /// Where lines go; tests pass a closure that keeps them.
    public typealias Sink = @Sendable (_ line: String) -> Void

    public let label: String
    public let format: LogFormat
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let sink: Sink

    public init(
        label: String, format: LogFormat, logLevel: Logger.Level = .info,
        metadataProvider: Logger.MetadataProvider? = nil, sink: @escaping Sink = CharterLogHandler.standardOutput
    ) {
        self.label = label
        self.format = format
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        sink(
            Self.line(
                format: format, time: Date(), level: event.level, label: label, message: "\(event.message)",
                metadata: merged))
    }

    /// The text of one event, without the newline.
    public static func line(
        format: LogFormat, time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata
    ) -> String {
        let fields: [(String, String)] =
            [("time", timestamp(time)), ("level", level.rawValue), ("label", label), ("message", message)]
            + metadata.sorted { $0.key < $1.key }.map { key, value in
                (key, isSecret(key) ? "[redacted]" : "\(value)")
            }
        switch format {
        case .logfmt:
            return fields.map { "\(logfmtKey($0.0))=\(logfmtValue($0.1))" }.joined(separator: " ")
        case .json:
            return "{" + fields.map { "\(jsonString($0.0)):\(jsonString($0.1))" }.joined(separator: ",") + "}"
        }
    }

    /// Metadata keys whose values are never written.
    static let secretKeyParts = ["authorization", "cookie", "password", "secret", "token", "conninfo", "credential"]

    static func isSecret(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return secretKeyParts.contains { lowered.contains($0) }
    }

    /// Writes a whole line with one `write(2)`, so lines from several threads never interleave.
    public static let standardOutput: Sink = { line in
        var bytes = Array(line.utf8)
        bytes.append(10)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(1, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 {
                    if written < 0 && errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }

    /// RFC 3339 in UTC with milliseconds, computed by hand: a shared formatter would need a lock.
    static func timestamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = time_t(seconds.rounded(.down))
        let millis = Int((seconds - Double(whole)) * 1000)
        var parts = tm()
        gmtime_r(&whole, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let milliText = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):"
            + "\(two(parts.tm_min)):\(two(parts.tm_sec)).\(milliText)Z"
    }

    /// logfmt keys are bare words: anything else becomes `_`.
    static func logfmtKey(_ key: String) -> String {
        let allowed = key.unicodeScalars.allSatisfy {
            $0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)
        }
        if allowed && !key.isEmpty { return key }
        return String(
            key.unicodeScalars.map { $0 == "=" || $0 == " " || $0 == "\"" || $0.value < 0x20 ? "_" : Character($0) })
    }

    /// A bare value when it can be one; otherwise quoted with `\"`, `\\`, `\n`, `\r`, `\t` escaped.
    static func logfmtValue(_ value: String) -> String {
        let needsQuotes =
            value.isEmpty
            || value.unicodeScalars.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "\\" || $0.value < 0x20 }
        // The same escapes as a JSON string, so one quoting serves both formats.
        return needsQuotes ? jsonString(value) : value
    }

    /// `value` as a JSON string literal: quotes, backslashes and control characters escaped.
    static func jsonString(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out +=
                        "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                        + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// Sets up swift-log for charterd, once per process.
public enum CharterLogging {
    private static let bootstrapped = Mutex(false)

    /// Points every `Logger` at a `CharterLogHandler` on standard output.
    ///
    /// swift-log allows one bootstrap per process; a second call here does nothing, so tests that start
    /// charterd more than once do not crash.
    public static func bootstrap(format: LogFormat, level: Logger.Level) {
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in
            CharterLogHandler(label: label, format: format, logLevel: level)
        }
    }
}
