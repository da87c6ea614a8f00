import CharterDomain
import Foundation
import HTTPTypes
public import Hummingbird

/// An error a client caused (or a server failure), answered as RFC 9457 `application/problem+json`.
///
/// `detail` is a sentence saying what is wrong; `errors` lists each problem with where it is (a
/// field, or a line and column of an uploaded file).
public struct Problem: Error, HTTPResponseError, Sendable {
    /// One problem with where it is.
    public struct Item: Sendable, Hashable, Codable {
        public var field: String?
        public var line: Int?
        public var column: String?
        public var message: String

        /// Text longer than a sentence is cut (`excerpt`), so an item never carries the input at length.
        public init(field: String? = nil, line: Int? = nil, column: String? = nil, message: String) {
            self.field = field.map { $0.excerpt(Problem.longestField) }
            self.line = line
            self.column = column.map { $0.excerpt(Problem.longestField) }
            self.message = message.excerpt(Problem.longestSentence)
        }
    }

    public var status: HTTPResponse.Status
    public var title: String
    public var detail: String
    public var errors: [Item]
    /// Total errors when `errors` was cut short (a return lists its first 1,000).
    public var totalErrors: Int?
    public var headers: HTTPFields

    /// The longest `detail` or item message, in characters: a few sentences. Whatever a message
    /// quotes from the request, the answer stays small (SPEC §8).
    static let longestSentence = 1_000
    /// The longest field or column name an item repeats.
    static let longestField = 100

    public init(
        _ status: HTTPResponse.Status, _ detail: String, title: String? = nil, errors: [Item] = [],
        totalErrors: Int? = nil, headers: HTTPFields = [:]
    ) {
        self.status = status
        self.title = title ?? status.reasonPhrase
        self.detail = detail.excerpt(Self.longestSentence)
        self.errors = errors
        self.totalErrors = totalErrors
        self.headers = headers
    }

    public static let mediaType = "application/problem+json"

    private struct Body: Encodable {
        var type = "about:blank"
        var title: String
        var status: Int
        var detail: String
        var instance: String
        var errors: [Item]?
        var totalErrors: Int?

        enum CodingKeys: String, CodingKey {
            case type, title, status, detail, instance, errors
            case totalErrors = "total_errors"
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(
            title: title, status: status.code, detail: detail, instance: request.uri.path,
            errors: errors.isEmpty ? nil : errors, totalErrors: totalErrors)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var headers = headers
        headers[.contentType] = Self.mediaType
        return Response(
            status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(body))))
    }
}
