import Mustache

/// The web pages' Mustache templates, embedded into the binary at build time from
/// `templates/web/*.mustache` (no resource bundle at run time), parsed once.
///
/// Every page template extends `layout` (`{{<layout}}…{{/layout}}`); values are written with
/// `{{ }}`, which HTML-escapes them and shows control characters escaped (`MailHTMLContentType`, the
/// emails' HTML escaping; SPEC §8). swift-mustache resets the content type in every partial and
/// parent it enters, so each template gets the pragma in front, on a line of its own that Mustache
/// drops whole.
struct WebTemplates: Sendable {
    let library: MustacheLibrary

    /// The templates as embedded; a template that does not parse is a build mistake, so it stops here.
    static let embedded: WebTemplates = {
        _ = MailHTMLContentType.registered
        var library = MustacheLibrary()
        for (name, text) in embeddedWebTemplates {
            do {
                try library.register("{{% CONTENT_TYPE: \(MailHTMLContentType.name) }}\n" + text, named: name)
            } catch {
                preconditionFailure("templates/web/\(name).mustache does not parse: \(error)")
            }
        }
        return WebTemplates(library: library)
    }()

    /// `template` rendered with `data`.
    func render(_ template: String, _ data: [String: Any]) -> String {
        guard let text = library.render(data, withTemplate: template) else {
            preconditionFailure("there is no template \(template)")
        }
        return text
    }
}
