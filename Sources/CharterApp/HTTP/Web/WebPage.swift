import CharterAccess
import Foundation
import HTTPTypes
import Hummingbird

/// Builds the web pages' responses: a rendered template inside the layout, or a redirect.
enum WebPage {
    /// `template` with `data` and the layout's values (who is signed in, the navigation, the CSRF token
    /// for the sign-out form), as `text/html`.
    static func render(
        _ template: String, _ data: [String: Any], context: CharterRequestContext, status: HTTPResponse.Status = .ok
    ) -> Response {
        var data = data
        if let principal = context.principal, let csrf = context.csrfToken {
            data["user"] = [
                "name": context.signedInName ?? principal.actor, "csrf": csrf.text, "nav": navigation(principal),
            ]
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
        if AccessPolicy.decide(principal, .readUsers, employerID: nil).isAllowed {
            links.append(["href": "/admin", "label": "Administration"])
        }
        return links
    }

    /// A time as people read it: `2026-11-27 14:05 UTC`.
    static func time(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d UTC", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
            parts.hour ?? 0, parts.minute ?? 0)
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
