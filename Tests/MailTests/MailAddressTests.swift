import Testing

@testable import Mail

@Suite("Mailboxes")
struct MailAddressTests {
    @Test(
        "Valid addr-specs are accepted",
        arguments: ["a@b.example", "first.last+tag@sub.example.org", "o'brien@example.ie", "x@xn--dz-tpa.example"])
    func valid(address: String) throws {
        #expect(try MailAddress(address: address).address == address)
    }

    @Test(
        "Invalid addresses are refused",
        arguments: [
            "", "no-at-sign", "@example.org", "a@", "a..b@example.org", ".a@example.org", "a@-example.org",
            "a@example..org", "\"quoted\"@example.org", "a b@example.org", "siân@example.org", "a@exämple.org",
            "a@[192.0.2.1]", String(repeating: "a", count: 65) + "@example.org",
        ])
    func invalid(address: String) {
        #expect(throws: MailError.self) { try MailAddress(address: address) }
    }

    @Test("A line break in a name or address is refused as header injection")
    func injection() {
        #expect { try MailAddress(displayName: "Eve\r\nBcc: x@evil.example", address: "e@example.org") } throws: {
            ($0 as? MailError)?.code == .headerInjection
        }
        #expect { try MailAddress(address: "e@example.org\nBcc: x@evil.example") } throws: {
            ($0 as? MailError)?.code == .headerInjection
        }
        #expect { try MailAddress(displayName: "nul\u{0}", address: "e@example.org") } throws: {
            ($0 as? MailError)?.code == .invalidHeaderValue
        }
    }

    @Test("The error names the problem but not the address, which is personal data")
    func errorDoesNotLeak() {
        do {
            _ = try MailAddress(address: "sian.secret@@example.org")
            Issue.record("accepted")
        } catch {
            #expect(!error.description.contains("sian.secret"))
            #expect(error.description.contains("local@domain") || error.description.contains("before the @"))
        }
    }

    @Test("ASCII names are quoted with specials escaped; others become encoded-words; none is bare")
    func rendering() throws {
        #expect(try MailAddress(address: "a@b.example").headerTokens(firstTokenLimit: 74) == ["a@b.example"])
        #expect(
            try MailAddress(displayName: "O'Brien, \"Jo\" \\ Co", address: "jo@b.example").headerTokens(
                firstTokenLimit: 74) == ["\"O'Brien, \\\"Jo\\\" \\\\ Co\"", "<jo@b.example>"])
        #expect(
            try MailAddress(displayName: "Siân Ó Briain", address: "sian@b.example").headerTokens(
                firstTokenLimit: 74) == ["=?utf-8?B?U2nDom4gw5MgQnJpYWlu?=", "<sian@b.example>"])
        // Text that looks like an encoded-word is encoded rather than left for a reader to decode.
        let lookalike = try MailAddress(displayName: "=?utf-8?B?QQ==?=", address: "x@b.example")
        #expect(lookalike.headerTokens(firstTokenLimit: 74).first?.hasPrefix("=?utf-8?B?") == true)
    }
}
