import CharterDomain
public import Foundation
import Mustache

/// The emails' Mustache templates: those shipped in `templates/mail/` (embedded into the binary at
/// build time, like the web pages'), with any the charter team puts in `CHARTERD_MAIL_TEMPLATES_DIR`
/// replacing the shipped ones of the same name. Parsed once, when loaded, and shared by every render.
///
/// Each report kind has three: `<kind>.subject` (one line; runs of white space, line breaks included,
/// become one space), `<kind>.text` and `<kind>.html`, where `<kind>` is the `ReportKind` raw value
/// (`employer-digest`, `rep-digest`, `reminder`, `weekly-summary`, `flag-notice`, `invitation`,
/// `accreditation-reminder`, `accreditation-lapsed`, `application`). The shipped ones share
/// the partials `flag.text`, `flag.html`, `footer.text` and the HTML layout `layout.html`; an override
/// directory may replace those too, or add partials of its own.
///
/// Every template whose name ends in `.text` or `.subject` is plain text: it is registered with
/// `{{% CONTENT_TYPE: CHARTERWATCH_TEXT }}` in front, so `{{value}}` is written as is rather than
/// HTML-escaped, control characters apart (`MailTextContentType`). swift-mustache resets the content
/// type to HTML in every partial it enters, which is why the pragma is added to each such template,
/// partials included, instead of trusting each file to carry it. The other templates are HTML:
/// `{{value}}` is HTML-escaped as Mustache's default does it, and control characters shown escaped.
public struct MailTemplates: Sendable {
    let library: MustacheLibrary
    /// Which templates came from the override directory, for the log at start-up.
    public let overridden: [String]

    /// The templates as shipped. A shipped template that does not parse is a build mistake, so it stops here.
    public static let embedded: MailTemplates = {
        do {
            return try MailTemplates(
                sources: embeddedMailTemplates.map { (name: $0.name, text: $0.text, origin: "templates/mail") })
        } catch {
            preconditionFailure("\(error)")
        }
    }()

    /// The shipped templates with every `<name>.mustache` in `directory` (not its subdirectories)
    /// registered over them.
    ///
    /// - Throws: `ReportRenderingError` with `.templateDirectory` when the directory cannot be read,
    ///   `.templateSyntax` naming the file that does not parse. Checked at start-up so a broken
    ///   override stops charterd there, not in the middle of the nightly run.
    public init(overridesIn directory: URL?) throws(ReportRenderingError) {
        var sources: [(name: String, text: String, origin: String)] = embeddedMailTemplates.map {
            (name: $0.name, text: $0.text, origin: "templates/mail")
        }
        var overridden: [String] = []
        if let directory {
            let files: [URL]
            do {
                files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
                    .filter { $0.pathExtension == "mustache" }
                    .sorted { $0.lastPathComponent < $1.lastPathComponent }
            } catch {
                throw ReportRenderingError(
                    .templateDirectory, "the mail template directory \(directory.path) cannot be read: \(error)")
            }
            for file in files {
                let name = file.deletingPathExtension().lastPathComponent
                let text: String
                do {
                    text = try String(contentsOf: file, encoding: .utf8)
                } catch {
                    throw ReportRenderingError(
                        .templateDirectory, "the mail template \(file.path) cannot be read as UTF-8: \(error)")
                }
                sources.append((name: name, text: text, origin: directory.path))
                overridden.append(name)
            }
        }
        try self.init(sources: sources, overridden: overridden)
    }

    /// Registers `sources` in order, so a later one with the same name wins.
    private init(sources: [(name: String, text: String, origin: String)], overridden: [String] = [])
        throws(ReportRenderingError)
    {
        _ = MailHTMLContentType.registered
        _ = MailTextContentType.registered
        var library = MustacheLibrary()
        for source in sources {
            let plain = source.name.hasSuffix(".text") || source.name.hasSuffix(".subject")
            // On a line of its own, which Mustache drops whole (a standalone tag), so the template's own
            // first line is not joined to it and keeps its own standalone tags. HTML templates get the same
            // escaping as Mustache's default, done faster (`MailHTMLContentType`).
            let contentType = plain ? MailTextContentType.name : MailHTMLContentType.name
            let text = "{{% CONTENT_TYPE: \(contentType) }}\n" + source.text
            do {
                try library.register(text, named: source.name)
            } catch {
                throw ReportRenderingError(
                    .templateSyntax, "\(source.origin)/\(source.name).mustache does not parse: \(error)")
            }
        }
        for kind in ReportKind.allCases.map(\.rawValue) {
            for part in ["subject", "text", "html"] where library.getTemplate(named: "\(kind).\(part)") == nil {
                throw ReportRenderingError(.templateSyntax, "the mail template \(kind).\(part).mustache is missing")
            }
        }
        self.library = library
        self.overridden = overridden
    }

    /// `name` rendered with `data`.
    func render(_ name: String, _ data: [String: Any]) throws(ReportRenderingError) -> String {
        guard let text = library.render(data, withTemplate: name) else {
            throw ReportRenderingError(.templateSyntax, "the mail template \(name).mustache is missing")
        }
        return text
    }
}
