import CharterDomain
import CharterStore
import Foundation
import HTTPTypes
public import Hummingbird
import Logging
import PGClient

/// Turns every error leaving a route into `application/problem+json` with the right status: the
/// store's and the domain's errors by their code, Hummingbird's own (no such route, body too large)
/// by their status, undecodable JSON as 400 naming the field. Anything else is a 500 that says only
/// that the server failed, with the request id to find it in the log.
public struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return try Self.problem(for: error, context: context).response(from: request, context: context)
        }
    }

    /// How long a client is asked to wait (`Retry-After`, seconds) when the database is unavailable: long
    /// enough for a restart or a failover, short enough that nobody gives up.
    static var databaseRetryAfterSeconds: Int { 5 }

    static func problem(for error: any Error, context: Context) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as CharterStoreError:
            let status: HTTPResponse.Status =
                switch error.code {
                case .notFound: .notFound
                case .conflict: .conflict
                // The server's setting, not the request, is at fault (charterd checks the key at start-up).
                case .auditKey: .internalServerError
                default: .unprocessableContent
                }
            return Problem(status, error.message)
        case let error as CharterDomainError:
            return Problem(
                error.code == .flagTransitionRefused ? .conflict : .unprocessableContent, error.message,
                errors: error.field.map { [Problem.Item(field: $0, message: error.message)] } ?? [])
        case let error as PGError where error.code == .invalidBind:
            // Text with a NUL character from the request (a query parameter, a form field) that reached
            // the database: the client's doing, so a 400, not a server failure.
            return Problem(.badRequest, "a value in the request contains a NUL character (%00), which cannot be used")
        case let error as PGError where error.isDatabaseUnavailable:
            // The database is down, restarting or full: the service will be back, so say when to try again
            // (as /readyz says 503) instead of a 500 that reads like a bug.
            context.logger.warning("database unavailable", metadata: ["error": "\(error)"])
            return Problem(
                .serviceUnavailable, "the service cannot reach its database just now; try again in a few seconds",
                headers: [.retryAfter: "\(Self.databaseRetryAfterSeconds)"])
        case let error as DecodingError:
            return decodingProblem(error)
        case let error as any HTTPResponseError where error.status == .contentTooLarge:
            // A body over the context's limit that no route turned into its own sentence: said with the limit.
            return APIJSON.tooLarge(limit: context.maxUploadSize)
        case let error as HTTPError:
            let detail: String =
                switch error.status {
                case .notFound: "there is no such resource"
                case .methodNotAllowed: "this resource does not accept that method"
                default: error.body ?? error.status.reasonPhrase
                }
            return Problem(error.status, detail, headers: error.headers)
        case let error as any HTTPResponseError:
            return Problem(error.status, error.status.reasonPhrase)
        case is CancellationError:
            // The server is stopping (or the client went away): nothing failed, so no error in the log.
            context.logger.info("request cancelled")
            return Problem(.serviceUnavailable, "the server is shutting down; try again shortly")
        default:
            context.logger.error(
                "request failed", metadata: ["error.type": "\(type(of: error))", "error": "\(error)"])
            return Problem(
                .internalServerError, "the server failed to answer this request (request id \(context.id))")
        }
    }

    private static func decodingProblem(_ error: DecodingError) -> Problem {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingPrefix(".").description
        }
        let (field, message): (String, String) =
            switch error {
            case .keyNotFound(let key, let context):
                (path(context.codingPath + [key]), "is required")
            case .typeMismatch(_, let context), .valueNotFound(_, let context):
                (path(context.codingPath), "has the wrong type: \(context.debugDescription)")
            case .dataCorrupted(let context):
                (path(context.codingPath), context.debugDescription)
            @unknown default:
                ("", "could not be read")
            }
        let name = field.isEmpty ? "the body" : "field \(field)"
        return Problem(
            .badRequest, "\(name) \(message)",
            errors: [Problem.Item(field: field.isEmpty ? nil : field, message: message)]
        )
    }
}
