import Foundation

extension SMTPClient {
    /// AUTH PLAIN (RFC 4616) when offered, else AUTH LOGIN; only over TLS, or in the clear to a loopback relay.
    ///
    /// PLAIN is preferred because it is one round trip and standardised; LOGIN remains for older relays (Exchange)
    /// that offer nothing else. Both send the password as base64, which is why the connection must be encrypted.
    /// The AUTH lines are logged as "AUTH PLAIN ***" so the credentials never reach a log. A server that offers no
    /// usable mechanism is a transient failure like every other fault of the relay's configuration (see
    /// ``SMTPFailure``); only its 5xx answer to the credentials themselves (535) is permanent.
    func authenticate(
        over connection: SMTPConnection,
        username: String,
        password: String,
        extensions: SMTPExtensions
    ) async throws {
        guard connection.isEncrypted || SMTPSettings.isLoopback(self.settings.host) else {
            throw MailTransportError(
                code: .authenticationUnavailable,
                failure: .transient,
                message: "Refusing to send the SMTP password over an unencrypted connection to \(self.settings.host)."
            )
        }
        let timeout = self.settings.commandTimeout
        let mechanisms = extensions.authenticationMechanisms
        let final: SMTPReply
        if mechanisms.contains("PLAIN") {
            let token = Self.base64(Array("\0\(username)\0\(password)".utf8))
            final = try await connection.command("AUTH PLAIN \(token)", logAs: "AUTH PLAIN ***", within: timeout)
        } else if mechanisms.contains("LOGIN") {
            let start = try await connection.command("AUTH LOGIN", within: timeout)
            guard start.code == 334 else {
                throw Self.refusal(start, code: .authenticationFailed, "The server refused AUTH LOGIN.")
            }
            let userReply = try await connection.command(
                Self.base64(Array(username.utf8)),
                logAs: "(user name)",
                within: timeout
            )
            guard userReply.code == 334 else {
                throw Self.refusal(userReply, code: .authenticationFailed, "The server refused the SMTP user name.")
            }
            final = try await connection.command(
                Self.base64(Array(password.utf8)), logAs: "(password)", within: timeout)
        } else {
            throw MailTransportError(
                code: .authenticationUnavailable,
                failure: .transient,
                message: "The server offers neither AUTH PLAIN nor AUTH LOGIN, so the configured user cannot sign in."
            )
        }
        guard final.code == 235 else {
            throw Self.refusal(
                final,
                code: .authenticationFailed,
                "The server refused the SMTP credentials for \(username)."
            )
        }
    }

    private static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }
}
