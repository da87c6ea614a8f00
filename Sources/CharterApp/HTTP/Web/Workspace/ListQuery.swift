import Foundation
import Hummingbird

/// Where a list page is and what it is filtered by, read from the URL (`?q=care&state=open&page=3`), so a
/// list pages, filters, and can be bookmarked or shared without JavaScript — and its CSV download
/// (`.csv` with the same query) holds exactly what the filters chose.
struct ListQuery: Sendable {
    /// Rows on one page.
    static let pageSize = 50
    /// The longest filter value read; longer is cut (a search box, not a document).
    static let maximumFilterLength = 200

    /// The page asked for, from 1.
    let page: Int
    /// The filters the page knows, in the order it declared them, with the values given (blank ones left out).
    let filters: [(name: String, value: String)]

    /// Reads `page` and the named filters from `request`'s query; a page that is not a whole number
    /// from 1 is page 1, and a filter's white space at either end is removed.
    init(_ request: Request, filters names: [String]) {
        let query = FormQuery(request)
        page = query["page"].flatMap { Int($0) }.flatMap { (1...1_000_000).contains($0) ? $0 : nil } ?? 1
        filters = names.compactMap { name in
            guard let raw = query[name] else { return nil }
            let value = String(raw.trimmingCharacters(in: .whitespacesAndNewlines).prefix(Self.maximumFilterLength))
            return value.isEmpty ? nil : (name, value)
        }
    }

    /// The value of filter `name`, nil when not given.
    subscript(_ name: String) -> String? {
        filters.first { $0.name == name }?.value
    }

    /// Rows to skip for this page.
    var offset: Int { (page - 1) * Self.pageSize }

    /// `path` with these filters and `page` (left out for page 1) as its query.
    func href(_ path: String, page: Int? = nil) -> String {
        var items = filters.map { "\(Self.encode($0.name))=\(Self.encode($0.value))" }
        if let page, page > 1 { items.append("page=\(page)") }
        return items.isEmpty ? path : path + "?" + items.joined(separator: "&")
    }

    /// The filters as `values.<name>` for the filter form, so it shows what the list was filtered by.
    var values: [String: String] {
        Dictionary(filters.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// `paging` for `{{>paging}}`: which rows are shown of how many, and links to the pages either side.
    ///
    /// - Parameters:
    ///   - shown: rows on this page.
    ///   - total: rows across all pages.
    func paging(_ path: String, shown: Int, total: Int) -> [String: Any] {
        var data: [String: Any] = [
            "summary": shown == 0
                ? (total == 0 ? "Nothing to show." : "Nothing on this page; there are \(total) in all.")
                : "Showing \(offset + 1) to \(offset + shown) of \(total)."
        ]
        if page > 1 {
            data["previous"] = href(path, page: min(page - 1, max(1, (total + Self.pageSize - 1) / Self.pageSize)))
        }
        if offset + shown < total { data["next"] = href(path, page: page + 1) }
        return data
    }

    /// `options` for a `<select>`: each value with its label, the one filtered by marked `selected`.
    func options(_ name: String, _ choices: [(value: String, label: String)]) -> [[String: Any]] {
        choices.map { choice in
            var option: [String: Any] = ["value": choice.value, "label": choice.label]
            if self[name] == choice.value { option["selected"] = true }
            return option
        }
    }

    /// RFC 3986's unreserved characters, ASCII only.
    static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Percent-encodes a query component (everything but unreserved characters).
    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }
}
