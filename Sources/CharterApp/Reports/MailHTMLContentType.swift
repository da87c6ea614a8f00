import CharterDomain
import Mustache

/// Mustache's HTML escaping for the email templates and the web pages, over UTF-8 bytes: the same five
/// entities as swift-mustache's own (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#39;`), several times faster,
/// and control characters shown escaped (`escapingControlCharacters`, SPEC §8), which HTML escaping
/// alone leaves in place.
///
/// swift-mustache escapes character by character through a `[Character: String]` table; rendering ten
/// thousand digests spent a sixth of its time there. Most values (dates, ids, counts, links) hold
/// nothing to escape and are returned as they are after one pass over their bytes. The five characters
/// are ASCII, so working on bytes never splits a character.
struct MailHTMLContentType: MustacheContentType {
    /// The pragma name the HTML email templates are registered under (`{{% CONTENT_TYPE: … }}`).
    static let name = "CHARTERWATCH_HTML"

    /// Registers this content type with swift-mustache, once, before any template names it.
    static let registered: Void = {
        MustacheContentTypes.register(MailHTMLContentType(), named: name)
    }()

    func escapeText(_ text: String) -> String {
        // `\u{1B}` holds nothing HTML escapes, so the order does not matter.
        escapeHTML(text).escapingControlCharacters
    }

    private func escapeHTML(_ text: String) -> String {
        var clean = true
        for byte in text.utf8 where byte == 0x26 || byte == 0x3C || byte == 0x3E || byte == 0x22 || byte == 0x27 {
            clean = false
            break
        }
        if clean { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 32)
        for byte in text.utf8 {
            switch byte {
            case 0x26: out.append(contentsOf: "&amp;".utf8)
            case 0x3C: out.append(contentsOf: "&lt;".utf8)
            case 0x3E: out.append(contentsOf: "&gt;".utf8)
            case 0x22: out.append(contentsOf: "&quot;".utf8)
            case 0x27: out.append(contentsOf: "&#39;".utf8)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
