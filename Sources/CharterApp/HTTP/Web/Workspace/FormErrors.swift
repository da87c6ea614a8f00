/// What is wrong with a form the charter team sent, field by field: the GOV.UK error summary at the top
/// of the page, each entry linking to its field, and the same sentence beside the field.
///
/// A page that finds errors renders the form again (status 422), with the typed values kept and
/// `templateData` merged into its data. Its template includes `{{>error-summary}}` first in `main`,
/// puts `{{#hasErrors}}Error: {{/hasErrors}}` in front of its title, and writes each field as
///
/// ```
/// <div class="{{#errors.name}}field-error{{/errors.name}}">
/// <label for="name">Name</label>
/// {{#errors.name}}<p class="error-message" id="name-error"><span class="visually-hidden">Error:</span> {{errors.name}}</p>{{/errors.name}}
/// <input id="name" name="name" value="{{values.name}}" {{#errors.name}}aria-describedby="name-error"{{/errors.name}}>
/// </div>
/// ```
struct FormErrors: Sendable {
    /// The errors in the order the fields appear on the page: the id of the field in error and the
    /// sentence saying what is wrong with it.
    private(set) var entries: [(field: String, message: String)] = []

    init() {}

    /// Adds `message` for `field` (the field's `id` on the page); a second message for the same field is
    /// dropped, so each field says one thing.
    mutating func add(_ field: String, _ message: String) {
        guard !entries.contains(where: { $0.field == field }) else { return }
        entries.append((field, message))
    }

    var isEmpty: Bool { entries.isEmpty }

    /// `hasErrors`, `errorSummary` (the list the summary links) and `errors` (the message by field id).
    var templateData: [String: Any] {
        guard !entries.isEmpty else { return [:] }
        return [
            "hasErrors": true,
            "errorSummary": entries.map { ["field": $0.field, "message": $0.message] },
            "errors": Dictionary(entries.map { ($0.field, $0.message) }, uniquingKeysWith: { first, _ in first }),
        ]
    }
}
