import CharterAccess
import CharterDomain
import Foundation
import HTTPTypes
import Hummingbird

/// Builds the web pages' responses: a rendered template inside the layout, or a redirect.
enum WebPage {
    /// `template` with `data` and the layout's values (who is signed in, the navigation, the CSRF token
    /// for the sign-out form, and what the last action did — unless the page says it itself, which it
    /// marks with `noticeShown`), as `text/html`.
    static func render(
        _ template: String, _ data: [String: Any], context: CharterRequestContext, status: HTTPResponse.Status = .ok
    ) -> Response {
        var data = data
        if let principal = context.principal, let csrf = context.csrfToken {
            data["user"] = [
                "name": context.signedInName ?? "you", "csrf": csrf.text, "nav": navigation(principal),
            ]
        }
        if data["noticeShown"] == nil, let notice = context.webNotice {
            data["notice"] = notice.sentence(signedInName: context.signedInName)
        }
        return html(WebTemplates.embedded.render(template, data), status: status)
    }

    /// An HTML response that no cache keeps, no frame shows and that runs no script.
    static func html(_ text: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// 303 See Other to `location`: after a form POST the browser GETs the page.
    static func redirect(to location: String, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        return Response(status: .seeOther, headers: headers)
    }

    /// The links in the header, by what the principal may see.
    static func navigation(_ principal: Principal) -> [[String: String]] {
        var links = [["href": "/flags", "label": "Flags"]]
        if principal.role == .employer, let employer = principal.employerID {
            links.append(["href": "/employers/\(employer)", "label": "Our employer page"])
        }
        links.append(["href": "/outcomes", "label": "Outcomes"])
        if AccessPolicy.decide(principal, .openWorkspace, employerID: nil).isAllowed {
            links.append(["href": "/admin", "label": "Administration"])
        }
        return links
    }

    /// A time as people in the UK read it, in Europe/London: `6 Dec 2026, 14:05 GMT` (`BST` in summer).
    /// Every page shows its times through this one formatter.
    static func time(_ instant: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .europeLondon
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
        let zone = TimeZone.europeLondon.isDaylightSavingTime(for: instant) ? "BST" : "GMT"
        let day = "\(parts.day ?? 0) \(monthNames[(parts.month ?? 1) - 1]) \(parts.year ?? 0)"
        return day + String(format: ", %02d:%02d ", parts.hour ?? 0, parts.minute ?? 0) + zone
    }

    /// A calendar date as the pages write it: `30 Oct 2026`.
    static func date(_ date: CalendarDate) -> String {
        "\(date.day) \(monthNames[date.month - 1]) \(date.year)"
    }

    /// English month abbreviations, fixed here rather than taken from the system's locale data, so a
    /// page reads the same on every machine.
    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `text` if it is a path on this site that a redirect may safely go to — it starts with one `/`
    /// (never `//` or `/\\`, which browsers read as another host) and has no scheme, space, backslash or
    /// control character — and nil otherwise, so a `?next=` from a link can never send anyone elsewhere.
    static func localPath(_ text: String?) -> String? {
        guard let text, text.utf8.count <= 2_048, text.hasPrefix("/") else { return nil }
        let bytes = Array(text.utf8)
        if bytes.count > 1, bytes[1] == UInt8(ascii: "/") { return nil }
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") }) else { return nil }
        return text
    }
}

extension [String: Any] {
    /// Sets `key` only when `value` is there and not empty: in Mustache an empty string is still true
    /// for `{{#key}}`, so leaving the key out is how a section is skipped.
    mutating func setIfPresent(_ key: String, _ value: String?) {
        if let value, !value.isEmpty { self[key] = value }
    }

    /// This dictionary with `key` set as `setIfPresent` would.
    func with(_ key: String, _ value: String?) -> [String: Any] {
        var copy = self
        copy.setIfPresent(key, value)
        return copy
    }
}
