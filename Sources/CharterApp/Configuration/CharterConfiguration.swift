public import CharterStore
import Configuration
public import Foundation

/// Every setting of `charterd` and `charterctl`, from the environment and an optional file.
///
/// The file (`CHARTERD_CONFIG`) holds `NAME=value` lines with the same names as the environment
/// variables, `#` comments and optional quotes, so one file also serves as a systemd
/// `EnvironmentFile`. The environment wins over the file. Unknown `CHARTERD_` names in the file
/// are refused, so a typo never silently falls back to a default.
///
/// The secrets (`secretSettingNames`) may also come as credentials: when `CREDENTIALS_DIRECTORY` is
/// set (systemd's `LoadCredential=NAME:/path` sets it), a file there named after the setting — for
/// example `$CREDENTIALS_DIRECTORY/CHARTERD_SMTP_URL` — holds its value (one trailing newline is
/// ignored). A secret given as a credential must not also be set in the environment or the file:
/// which of two values is in use should never be a puzzle.
public struct CharterConfiguration: Sendable, Equatable {
    /// `CHARTERD_DATABASE_URL`: a `postgresql://` URL or libpq conninfo. Default: unset, which
    /// means the embedded cluster under the state directory. May carry a password: never logged.
    public var databaseURL: String?
    /// `CHARTERD_DATABASE_PASSWORD`: the database password, added to `CHARTERD_DATABASE_URL` (and
    /// winning over a password in it), so the URL can sit in a plain settings file and the password in
    /// a credential. Default unset (libpq's own means then apply: `~/.pgpass`, `PGPASSWORD`, peer
    /// authentication). A secret: never logged.
    public var databasePassword: String?
    /// `CHARTERD_AUDIT_KEY`: the key of the audit chain's HMACs (SPEC §8), 64 or more hex digits (32
    /// random bytes, e.g. from `openssl rand -hex 32`); charterd and charterctl must have the same one.
    /// Default unset: with the embedded cluster, a key made once and kept in `<state>/audit-key` (mode
    /// 0600); with `CHARTERD_DATABASE_URL`, charterd refuses to start and charterctl to record changes
    /// without it. A secret: never logged.
    public var auditKey: AuditKey?
    /// `CHARTERD_STATE_DIR`: embedded cluster, `.eml` outbox, other local state. Default `./.charterd`.
    public var stateDirectory: URL = URL(fileURLWithPath: ".charterd")
    /// `CHARTERD_HTTP_HOST`: listener address. Default `127.0.0.1`.
    public var httpHost: String = "127.0.0.1"
    /// `CHARTERD_HTTP_PORT`: listener port; 0 picks any free port and logs it. Default 8080.
    public var httpPort: Int = 8080
    /// `CHARTERD_TRUSTED_PROXIES`: addresses and networks (comma-separated, e.g. `127.0.0.1,::1`) of
    /// reverse proxies whose `X-Forwarded-For` names the client, for sign-in throttling. Default empty:
    /// the client is the TCP peer and the header is ignored.
    public var trustedProxies: TrustedProxies = .none
    /// `CHARTERD_PUBLIC_URL`: base of links in emails. Default `http://127.0.0.1:8080`.
    public var publicURL: String = "http://127.0.0.1:8080"
    /// `CHARTERD_MAIL_TRANSPORT`: `smtp`, `eml` (files under the state directory) or `none`. Default `eml`.
    public var mailTransport: MailTransport = .eml
    /// `CHARTERD_SMTP_URL`: `smtp://user:pass@host:587` or `smtps://…`. Default unset. A secret:
    /// never logged.
    public var smtpURL: String?
    /// `CHARTERD_SMTP_CA_FILE`: a PEM file of an extra certificate authority to trust for the SMTP
    /// relay (one with a private CA). Default unset: the system's trust store only.
    public var smtpCAFile: String?
    /// `CHARTERD_MAIL_FROM`: sender address; its domain names Message-IDs. Default `charter@localhost`.
    public var mailFrom: String = "charter@localhost"
    /// `CHARTERD_JOB_SCHEDULES`: schedules that replace SPEC §6's defaults, as `job=cron` pairs
    /// separated by `;` — e.g. `nightly-compliance=0 1 * * *` — five-field cron in Europe/London.
    /// Default empty: every job on its default schedule.
    public var jobSchedules: [String: String] = [:]
    /// `CHARTERD_MAIL_TEMPLATES_DIR`: a directory whose `<name>.mustache` files replace the shipped email
    /// templates of the same name (`templates/mail/`), so the charter team can reword its emails without
    /// a new build. Read and parsed at start-up; a file that does not parse stops charterd there.
    /// Default unset: the shipped templates only.
    public var mailTemplatesDirectory: URL?
    /// `CHARTERD_DB_POOL_SIZE`: most database connections per process. Default 10.
    public var databasePoolSize: Int = 10
    /// `CHARTERD_LOG_LEVEL`: trace, debug, info, notice, warning, error or critical. Default `info`.
    public var logLevel: String = "info"
    /// `CHARTERD_LOG_FORMAT`: `logfmt` or `json`, one line per event on standard output for journald.
    /// Default `logfmt` (reads well in `journalctl`; `json` suits a log shipper).
    public var logFormat: LogFormat = .logfmt
    /// `CHARTERD_PG_BINDIR`: where initdb and pg_ctl are for the embedded cluster. Default: the
    /// newest `/usr/lib/postgresql/N/bin`.
    public var postgresBinDirectory: String?

    public enum MailTransport: String, Sendable, CaseIterable {
        case smtp, eml, none
    }

    public init() {}

    /// The names this configuration reads; anything else starting with `CHARTERD_` in a file is a typo.
    public static let settingNames: Set<String> = [
        "CHARTERD_DATABASE_URL", "CHARTERD_DATABASE_PASSWORD", "CHARTERD_STATE_DIR", "CHARTERD_HTTP_HOST",
        "CHARTERD_HTTP_PORT", "CHARTERD_CONFIG", "CHARTERD_PUBLIC_URL", "CHARTERD_MAIL_TRANSPORT",
        "CHARTERD_SMTP_URL", "CHARTERD_MAIL_FROM", "CHARTERD_MAIL_TEMPLATES_DIR", "CHARTERD_DB_POOL_SIZE",
        "CHARTERD_LOG_LEVEL", "CHARTERD_PG_BINDIR", "CHARTERD_SMTP_CA_FILE", "CHARTERD_JOB_SCHEDULES",
        "CHARTERD_LOG_FORMAT", "CHARTERD_TRUSTED_PROXIES", "CHARTERD_AUDIT_KEY",
    ]

    /// The settings that are secrets, which may also be read from `$CREDENTIALS_DIRECTORY/<name>`.
    public static let secretSettingNames: Set<String> = [
        "CHARTERD_DATABASE_URL", "CHARTERD_DATABASE_PASSWORD", "CHARTERD_SMTP_URL", "CHARTERD_AUDIT_KEY",
    ]

    /// The libpq connection string for the configured server: `CHARTERD_DATABASE_URL` with
    /// `CHARTERD_DATABASE_PASSWORD` added (a later `password` wins in libpq, in a URL's query as in
    /// `key=value` form). Nil means the embedded cluster. A secret: never log it.
    public var databaseConninfo: String? {
        guard let databaseURL else { return nil }
        guard let databasePassword else { return databaseURL }
        if databaseURL.hasPrefix("postgresql://") || databaseURL.hasPrefix("postgres://") {
            // RFC 3986's unreserved characters pass; everything else is %-encoded (libpq decodes it).
            let allowed = CharacterSet(
                charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
            let encoded = databasePassword.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
            return databaseURL + (databaseURL.contains("?") ? "&" : "?") + "password=" + encoded
        }
        let quoted = databasePassword.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "'", with: "\\'")
        return databaseURL + " password='" + quoted + "'"
    }

    /// Reads the settings: the file named by `CHARTERD_CONFIG` first, then the environment over it,
    /// and secrets from `$CREDENTIALS_DIRECTORY` when it is set.
    ///
    /// The environment is read through swift-configuration's `EnvironmentVariablesProvider`, told which
    /// names are secrets (so its descriptions redact them). The rest of the library does not fit, so
    /// these parts stay ours:
    /// - The file: the library's environment-file parser (`EnvironmentVariablesProvider(environmentFilePath:)`)
    ///   skips a line without `=` silently, keeps quotes around a value, keeps no line numbers and cannot
    ///   list the names it read, so it could neither refuse a misspelt `CHARTERD_` name nor say on which
    ///   line it is. ``ConfigurationFile`` does all four.
    /// - The credentials: `DirectoryFilesProvider` is made asynchronously, where this is called
    ///   synchronously at start-up and from tests; it reads every file in the directory (a unit's other
    ///   credentials too, where one unreadable file would stop us), and its string values are trimmed of
    ///   all white space where we take off one line break (a password may end in a space).
    ///   ``credentials(in:)`` reads only the secret settings' files.
    /// - The layering: a `ConfigReader` over several providers returns the first value found and tells
    ///   which provider gave it only to an access reporter, after the read; its conversion errors are
    ///   sentences of its own. Refusing a secret set both as a credential and elsewhere, and naming the
    ///   source in a refusal ("CHARTERD_HTTP_PORT (from the environment) must be…", a file's line), are
    ///   plainer done here: the precedence, the two-way check and the typed parsing below are ours.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> CharterConfiguration
    {
        let environmentProvider = EnvironmentVariablesProvider(
            environmentVariables: environment, secretsSpecifier: .specific(secretSettingNames))
        var values: [String: (value: String, source: String)] = [:]
        if let path = try environmentProvider.environmentValue(forName: "CHARTERD_CONFIG"), !path.isEmpty {
            for (name, entry) in try ConfigurationFile.read(path: path) {
                guard settingNames.contains(name) else {
                    throw ConfigurationError(
                        "\(path) line \(entry.line): \(name) is not a CharterWatch setting"
                            + " (known: \(settingNames.sorted().joined(separator: ", ")))")
                }
                values[name] = (entry.value, "\(path) line \(entry.line)")
            }
        }
        for name in settingNames {
            if let value = try environmentProvider.environmentValue(forName: name) {
                values[name] = (value, "the environment")
            }
        }
        if let directory = try environmentProvider.environmentValue(forName: "CREDENTIALS_DIRECTORY"),
            !directory.isEmpty
        {
            for (name, value) in try credentials(in: directory) {
                if let other = values[name], !other.value.isEmpty {
                    throw ConfigurationError(
                        "\(name) is set both as a credential (in \(directory)) and in \(other.source); keep one")
                }
                values[name] = (value, "the credential \(directory)/\(name)")
            }
        }
        var configuration = CharterConfiguration()
        func value(_ name: String) -> (value: String, source: String)? {
            guard let entry = values[name], !entry.value.isEmpty else { return nil }
            return entry
        }
        configuration.databaseURL = value("CHARTERD_DATABASE_URL")?.value
        if let password = value("CHARTERD_DATABASE_PASSWORD") {
            guard configuration.databaseURL != nil else {
                throw ConfigurationError(
                    "CHARTERD_DATABASE_PASSWORD (from \(password.source)) needs CHARTERD_DATABASE_URL:"
                        + " the embedded cluster has no password")
            }
            configuration.databasePassword = password.value
        }
        if let key = value("CHARTERD_AUDIT_KEY") {
            do {
                configuration.auditKey = try AuditKey(hex: key.value)
            } catch let error as CharterStoreError {
                throw ConfigurationError("CHARTERD_AUDIT_KEY (from \(key.source)) \(error.message)")
            }
        }
        if let state = value("CHARTERD_STATE_DIR") { configuration.stateDirectory = URL(fileURLWithPath: state.value) }
        if let host = value("CHARTERD_HTTP_HOST") { configuration.httpHost = host.value }
        if let port = value("CHARTERD_HTTP_PORT") {
            guard let number = Int(port.value), (0...65_535).contains(number) else {
                throw ConfigurationError(
                    "CHARTERD_HTTP_PORT (from \(port.source)) must be a port number from 0 to 65535, not \"\(port.value)\""
                )
            }
            configuration.httpPort = number
        }
        if let proxies = value("CHARTERD_TRUSTED_PROXIES") {
            do {
                configuration.trustedProxies = try TrustedProxies(parsing: proxies.value)
            } catch {
                throw ConfigurationError("CHARTERD_TRUSTED_PROXIES (from \(proxies.source)): \(error.description)")
            }
        }
        if let url = value("CHARTERD_PUBLIC_URL") { configuration.publicURL = url.value }
        if let transport = value("CHARTERD_MAIL_TRANSPORT") {
            guard let parsed = MailTransport(rawValue: transport.value) else {
                throw ConfigurationError(
                    "CHARTERD_MAIL_TRANSPORT (from \(transport.source)) must be smtp, eml or none, not \"\(transport.value)\""
                )
            }
            configuration.mailTransport = parsed
        }
        configuration.smtpURL = value("CHARTERD_SMTP_URL")?.value
        configuration.smtpCAFile = value("CHARTERD_SMTP_CA_FILE")?.value
        if let schedules = value("CHARTERD_JOB_SCHEDULES") {
            for pair in schedules.value.split(separator: ";") where !pair.trimmingCharacters(in: .whitespaces).isEmpty {
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw ConfigurationError(
                        "CHARTERD_JOB_SCHEDULES (from \(schedules.source)) must be job=cron pairs separated by ;, "
                            + "as in nightly-compliance=0 1 * * *; \"\(pair)\" is not")
                }
                configuration.jobSchedules[parts[0]] = parts[1]
            }
        }
        if configuration.mailTransport == .smtp && configuration.smtpURL == nil {
            throw ConfigurationError("CHARTERD_MAIL_TRANSPORT is smtp but CHARTERD_SMTP_URL is not set")
        }
        if let from = value("CHARTERD_MAIL_FROM") {
            guard from.value.contains("@") else {
                throw ConfigurationError(
                    "CHARTERD_MAIL_FROM (from \(from.source)) must be an email address, not \"\(from.value)\"")
            }
            configuration.mailFrom = from.value
        }
        if let directory = value("CHARTERD_MAIL_TEMPLATES_DIR") {
            configuration.mailTemplatesDirectory = URL(fileURLWithPath: directory.value, isDirectory: true)
        }
        if let size = value("CHARTERD_DB_POOL_SIZE") {
            guard let number = Int(size.value), (1...500).contains(number) else {
                throw ConfigurationError(
                    "CHARTERD_DB_POOL_SIZE (from \(size.source)) must be a whole number from 1 to 500, not \"\(size.value)\""
                )
            }
            configuration.databasePoolSize = number
        }
        if let level = value("CHARTERD_LOG_LEVEL") {
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            guard levels.contains(level.value) else {
                throw ConfigurationError(
                    "CHARTERD_LOG_LEVEL (from \(level.source)) must be one of \(levels.joined(separator: ", "))")
            }
            configuration.logLevel = level.value
        }
        if let format = value("CHARTERD_LOG_FORMAT") {
            guard let parsed = LogFormat(rawValue: format.value) else {
                throw ConfigurationError(
                    "CHARTERD_LOG_FORMAT (from \(format.source)) must be logfmt or json, not \"\(format.value)\"")
            }
            configuration.logFormat = parsed
        }
        configuration.postgresBinDirectory = value("CHARTERD_PG_BINDIR")?.value
        return configuration
    }

    /// The secret settings present as files in `directory`, each without one trailing newline.
    private static func credentials(in directory: String) throws -> [String: String] {
        var found: [String: String] = [:]
        for name in secretSettingNames.sorted() {
            let path = directory + "/" + name
            guard FileManager.default.fileExists(atPath: path) else { continue }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigurationError("the credential \(path) cannot be read")
            }
            var value = String(decoding: data, as: UTF8.self)
            // "\r\n" is one Character in Swift, so one removeLast takes either line ending.
            if value.hasSuffix("\n") || value.hasSuffix("\r\n") { value.removeLast() }
            found[name] = value
        }
        return found
    }
}

/// A setting that cannot be used, with a sentence naming it and where it came from.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
