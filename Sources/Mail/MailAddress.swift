import Foundation

/// A mailbox: an optional display name and an address, as written in From, To and Reply-To.
///
/// Validated on creation so that a message with a bad address cannot be built at all: the address
/// must be an ASCII addr-spec `local@domain` (dot-atom local part of at most 64 octets, a host name of
/// letter-digit-hyphen labels, at most 254 octets in all, per RFC 5321 §4.5.3.1). Quoted local parts,
/// domain literals and raw UTF-8 addresses (SMTPUTF8) are refused: no charter contact needs them
/// and not every relay carries them. The display name may be any single-line text; it goes on the
/// wire quoted when it is ASCII and as RFC 2047 encoded-words when it is not.
public struct MailAddress: Sendable, Hashable {
    /// The name shown to the reader, e.g. "Siân Ó Briain"; `nil` or empty for a bare address.
    public let displayName: String?
    /// The addr-spec, e.g. `sian@example.org`.
    public let address: String

    public init(displayName: String? = nil, address: String) throws(MailError) {
        if let displayName { try HeaderText.check(displayName, field: "display name") }
        try HeaderText.check(address, field: "email address")
        guard address.utf8.count <= 254, let at = address.lastIndex(of: "@") else {
            throw MailError(.invalidAddress, "An email address must be local@domain, at most 254 characters.")
        }
        let local = String(address[..<at])
        let domain = String(address[address.index(after: at)...])
        guard local.utf8.count <= 64, HeaderText.isDotAtom(local) else {
            throw MailError(
                .invalidAddress,
                "The part of an email address before the @ must be 1–64 ASCII letters, digits or !#$%&'*+-/=?^_`{|}~ "
                    + "separated by single dots.")
        }
        guard HeaderText.isHostName(domain) else {
            throw MailError(
                .invalidAddress,
                "The domain of an email address must be a host name of ASCII letters, digits and hyphens "
                    + "(internationalised domains in their xn-- form).")
        }
        self.displayName = displayName
        self.address = address
    }

    /// The header tokens for this mailbox; the first token is at most `firstTokenLimit` long when
    /// that is possible, so it fits on the header's first line.
    func headerTokens(firstTokenLimit: Int) -> [String] {
        guard let name = displayName, !name.isEmpty else { return [address] }
        let angle = "<\(address)>"
        if HeaderText.isPrintableASCII(name), !name.contains("=?") {
            let quoted =
                "\""
                + name.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"") + "\""
            // A quoted string is not folded inside; one too long for its line is sent encoded instead,
            // which can be split.
            if quoted.utf8.count <= firstTokenLimit { return [quoted, angle] }
        }
        return EncodedWord.encode(name, firstWordLimit: firstTokenLimit) + [angle]
    }
}
