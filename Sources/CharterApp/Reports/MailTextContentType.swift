import CharterDomain
import Mustache

/// The plain-text email templates' content type (subjects and text parts): values written as they are,
/// except that control characters are shown escaped (`escapingControlCharacters`, SPEC §8), so an ESC a
/// rep typed into a note reaches nobody's terminal or mail client raw.
struct MailTextContentType: MustacheContentType {
    /// The pragma name the plain-text templates are registered under (`{{% CONTENT_TYPE: … }}`).
    static let name = "CHARTERWATCH_TEXT"

    /// Registers this content type with swift-mustache, once, before any template names it.
    static let registered: Void = {
        MustacheContentTypes.register(MailTextContentType(), named: name)
    }()

    func escapeText(_ text: String) -> String {
        text.escapingControlCharacters
    }
}
