/// What the server said it supports in its EHLO reply (RFC 5321 §4.1.1.1): STARTTLS and the AUTH mechanisms.
///
/// Empty after HELO, which advertises nothing; asked afresh after STARTTLS because a server may offer AUTH only
/// over TLS, and anything learnt in the clear may have been forged.
struct SMTPExtensions: Hashable {
    /// Keywords upper-cased (`STARTTLS`, `AUTH`, `SIZE`, …) with their parameters.
    private(set) var keywords: [String: [String]] = [:]

    init() {}

    init(ehloReply: SMTPReply) {
        // The first line is the server's greeting; each further line is one extension.
        for line in ehloReply.lines.dropFirst() {
            // "AUTH=PLAIN LOGIN" is the pre-standard form some servers still send next to "AUTH PLAIN LOGIN".
            let words = line.split(whereSeparator: { $0 == " " || $0 == "=" }).map(String.init)
            guard let keyword = words.first?.uppercased() else { continue }
            self.keywords[keyword, default: []].append(contentsOf: words.dropFirst().map { $0.uppercased() })
        }
    }

    var offersStartTLS: Bool { self.keywords["STARTTLS"] != nil }

    /// The SASL mechanisms after AUTH, upper-cased.
    var authenticationMechanisms: Set<String> { Set(self.keywords["AUTH"] ?? []) }
}
