import Foundation
import Hummingbird

/// A query string read as a form sends it (`application/x-www-form-urlencoded`): a `+` is a space, then
/// `%XX` escapes are decoded — so a search for "Sefton Care", which a browser (and a script's HTTP library,
/// Python's `requests` among them) sends as `q=Sefton+Care`, looks for the two words, and a typed `+` (sent
/// as `%2B`) stays a plus. Hummingbird's `queryParameters` decodes the escapes only. Pages and the API read
/// free text with it. The first value of a name counts.
struct FormQuery: Sendable {
    /// Every name and value, in the order the query gives them.
    let values: [(name: String, value: String)]

    init(_ request: Request) {
        values = (request.uri.query ?? "").split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), !name.isEmpty else { return nil }
            return (name, parts.count > 1 ? Self.decode(parts[1]) ?? "" : "")
        }
    }

    /// The value given for `name`, nil when the query has none.
    subscript(_ name: String) -> String? {
        values.first { $0.name == name }?.value
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
