import CharterDomain
public import Foundation
import HTTPTypes
public import Hummingbird

/// The API's JSON: snake_case keys, sorted, ISO 8601 instants; bodies read only as `application/json`.
public enum APIJSON {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    /// `value` as a JSON response.
    public static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    /// JSON already written (by a `JSONWriter`) as a response.
    static func response(json buffer: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: buffer))
    }

    /// The request's body bytes, refusing anything but JSON (415) and bodies over the context's limit (413).
    public static func body(of request: Request, context: CharterRequestContext) async throws -> Data {
        let type = request.headers[.contentType] ?? ""
        guard type.lowercased().hasPrefix("application/json") else {
            throw Problem(
                .unsupportedMediaType,
                type.isEmpty
                    ? "send the body as application/json (no Content-Type was given)"
                    : "send the body as application/json, not \(type)")
        }
        var request = request
        let buffer = try await collect(&request, upTo: context.maxUploadSize)
        return Data(buffer.readableBytesView)
    }

    /// The body, or a 413 that says the limit.
    static func collect(_ request: inout Request, upTo limit: Int) async throws -> ByteBuffer {
        do {
            return try await request.collectBody(upTo: limit)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            // NIO's NIOTooManyBytesError (the body ran over) or Hummingbird's HTTPError (Content-Length did).
            throw tooLarge(limit: limit)
        }
    }

    /// The 413 for a body over `limit` bytes, saying the limit: "the request body is over 4 MiB, the most
    /// this API accepts".
    static func tooLarge(limit: Int, accepter: String = "this API") -> Problem {
        let size =
            limit % (1 << 20) == 0
            ? "\(limit >> 20) MiB" : limit % (1 << 10) == 0 ? "\(limit >> 10) KiB" : "\(limit) bytes"
        return Problem(.contentTooLarge, "the request body is over \(size), the most \(accepter) accepts")
    }

    /// `data` parsed as JSON, or a 400 saying where it stops being JSON (line, column, and the field when
    /// a number is too large to read). `what` names the document: "the body", "the header part".
    static func parse(_ data: Data, what: String = "the body") throws -> Any {
        do {
            return try JSONText.parse(data)
        } catch {
            throw Problem(
                .badRequest, "\(what) is not valid JSON: \(error)",
                errors: [
                    Problem.Item(
                        field: error.field, line: error.line, column: error.column.map { "\($0)" },
                        message: error.reason)
                ])
        }
    }

    /// Refuses text holding a NUL character (`\u0000`) anywhere in a JSON document, naming the field:
    /// PostgreSQL cannot store it, so it would otherwise fail deep inside a transaction.
    static func refuseNUL(in value: Any, path: String = "") throws {
        if let text = value as? String, text.utf8.contains(0) {
            let field = path.isEmpty ? "the body" : "field \(path.excerpt())"
            throw Problem(
                .badRequest, "\(field) contains a NUL character (\\u0000), which cannot be stored",
                errors: [Problem.Item(field: path.isEmpty ? nil : path.excerpt(), message: "contains a NUL character")])
        } else if let object = value as? [String: Any] {
            for (key, item) in object { try refuseNUL(in: item, path: path.isEmpty ? key : "\(path).\(key)") }
        } else if let array = value as? [Any] {
            for (index, item) in array.enumerated() { try refuseNUL(in: item, path: "\(path)[\(index)]") }
        }
    }

    /// Like `decode`, but a request with no body at all (and no Content-Type) decodes as `{}`.
    public static func decodeOptional<T: Decodable>(
        _ type: T.Type, from request: Request, context: CharterRequestContext, fields: Set<String>
    ) async throws -> T {
        if request.headers[.contentType] == nil {
            var request = request
            let buffer = try await collect(&request, upTo: context.maxUploadSize)
            guard buffer.readableBytes == 0 else {
                throw Problem(.unsupportedMediaType, "send the body as application/json (no Content-Type was given)")
            }
            return try decoder.decode(T.self, from: Data("{}".utf8))
        }
        return try await decode(type, from: request, context: context, fields: fields)
    }

    /// The body decoded as `T`; unknown fields are refused so a typo never passes silently.
    public static func decode<T: Decodable>(
        _ type: T.Type, from request: Request, context: CharterRequestContext, fields: Set<String>
    ) async throws -> T {
        try await decodeWithObject(type, from: request, context: context, fields: fields).value
    }

    /// `decode`, with the body's JSON object too, for a field whose shape `T` cannot say (pledge overrides).
    public static func decodeWithObject<T: Decodable>(
        _ type: T.Type, from request: Request, context: CharterRequestContext, fields: Set<String>
    ) async throws -> (value: T, object: [String: Any]) {
        let data = try await body(of: request, context: context)
        let object = try parse(data)
        guard let dictionary = object as? [String: Any] else {
            throw Problem(.badRequest, "the body must be a JSON object")
        }
        try refuseNUL(in: dictionary)
        let unknown = Set(dictionary.keys).subtracting(fields).sorted()
        if !unknown.isEmpty {
            let names = unknown.prefix(20).map { $0.excerpt() }
            throw Problem(
                .badRequest,
                "unknown field\(unknown.count == 1 ? "" : "s") \(names.joined(separator: ", "))"
                    + (unknown.count > names.count ? " and \(unknown.count - names.count) more" : ""),
                errors: names.map { Problem.Item(field: $0, message: "is not a field of this request") })
        }
        return (try decoder.decode(T.self, from: data), dictionary)
    }
}
