import CharterDomain
import CharterStore
import Foundation
import PGClient

/// Employers named in a workspace form by what a person types — a company number or a name — rather than
/// picked from a list: a charter has thousands, and no page lists them all to choose from.
extension WebPages {
    /// The employer `text` names (`EmployerStore.identify`), or the sentence saying why it names none:
    /// `missing` when nothing was typed, else that no employer or several match, naming up to five.
    static func typedEmployer(
        _ text: String?, pool: PGPool, missing: String
    ) async throws -> (id: Int64?, refusal: String?) {
        guard let text, !text.isEmpty else { return (nil, missing) }
        let shown = text.count > 60 ? String(text.prefix(60)) + "…" : text
        let found = try await EmployerStore(pool: pool).identify(text, limit: 5)
        if found.count == 1, let id = found[0].id { return (id, nil) }
        if found.isEmpty {
            return (nil, "No employer has the company number or name “\(shown)”; the employers page finds it by name.")
        }
        let names = found.map { employer in employer.companyNumber.map { "\(employer.name) (\($0))" } ?? employer.name }
        return (
            nil,
            "“\(shown)” could be \(found.count == 5 ? "any of " : "")\(names.joined(separator: ", "))"
                + "\(found.count == 5 ? " or more" : ""); enter the company number or the whole name of one."
        )
    }

    /// Most lines one form may name employers on.
    static let typedEmployersLimit = 200

    /// The employers `text` names, one on each line (blank lines skipped), and a sentence for the lines that
    /// name none or several, each with its line number (the first three, then how many more).
    static func typedEmployers(_ text: String?, pool: PGPool) async throws -> (ids: [Int64], refusal: String?) {
        let lines = (text ?? "").split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard lines.count(where: { !$0.isEmpty }) <= typedEmployersLimit else {
            return ([], "Name at most \(typedEmployersLimit) employers at a time, one on each line.")
        }
        var ids: [Int64] = []
        var refusals: [String] = []
        for (index, line) in lines.enumerated() where !line.isEmpty {
            let typed = try await typedEmployer(line, pool: pool, missing: "")
            if let id = typed.id { ids.append(id) }
            if let refusal = typed.refusal { refusals.append("Line \(index + 1): \(refusal)") }
        }
        guard !refusals.isEmpty else { return (ids, nil) }
        let more = refusals.count > 3 ? " And \(refusals.count - 3) more lines name no single employer." : ""
        return (ids, refusals.prefix(3).joined(separator: " ") + more)
    }
}
