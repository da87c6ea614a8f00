import CharterAccess
import Foundation
import Hummingbird

/// The fields of an `application/x-www-form-urlencoded` form POST, and its CSRF check.
struct WebForm {
    let fields: [String: String]

    /// The most bytes a form (not an upload) may have.
    static let maximumBytes = 64 * 1024

    /// Reads the request's form body; another content type is a 415 page.
    static func read(_ request: Request, context: CharterRequestContext) async throws -> WebForm {
        let type = request.headers[.contentType] ?? ""
        guard type.lowercased().hasPrefix("application/x-www-form-urlencoded") else {
            throw Problem(.unsupportedMediaType, "this form is sent as application/x-www-form-urlencoded")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maximumBytes)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIJSON.tooLarge(limit: maximumBytes, accepter: "a form")
        }
        let text = String(buffer: body)
        do {
            return WebForm(fields: try URLEncodedFormDecoder().decode([String: String].self, from: text))
        } catch {
            throw Problem(.badRequest, "the form could not be read")
        }
    }

    /// A field with surrounding white space removed; nil when missing or blank.
    subscript(_ name: String) -> String? {
        guard let value = fields[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            return nil
        }
        return value
    }

    /// Throws 403 unless `submitted` is the session's CSRF token (compared in constant time).
    static func requireCSRF(_ submitted: String?, context: CharterRequestContext) throws {
        guard let expected = context.csrfToken, expected.matches(submitted) else {
            throw Problem(
                .forbidden,
                "This form's security token is missing or out of date, so nothing was changed. Go back, reload the page and try again."
            )
        }
    }

    /// Throws 403 unless the form's `csrf_token` field is the session's CSRF token.
    func requireCSRF(context: CharterRequestContext) throws {
        try Self.requireCSRF(fields["csrf_token"], context: context)
    }
}
