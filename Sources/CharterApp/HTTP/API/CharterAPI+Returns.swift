import CharterAccess
import CharterDomain
import CharterStore
import Foundation
import HTTPTypes
import Hummingbird
import PGClient

extension CharterAPI {
    static func returnRoutes(pool: PGPool) -> [APIRoute] {
        let returns = ReturnStore(pool: pool)
        return [
            uploadRoute(pool: pool),
            // A return as JSON (SPEC §3): the header, with its worker lines in `lines`.
            APIRoute(.post, "/v1/employers/{employer}/returns/{period}", .submitReturn) { request, context, principal in
                let employerID = try id("employer", context)
                let period = try period(context)
                let body = try await APIJSON.body(of: request, context: context)
                // Broken JSON is a 400 saying where; a well-formed return with wrong values is a 422 listing them.
                _ = try APIJSON.parse(body)
                let key = request.headers[HTTPField.Name("Idempotency-Key")!]
                if let key, key.isEmpty || key.count > 200 {
                    throw Problem(.badRequest, "the Idempotency-Key header must be 1 to 200 characters")
                }
                let outcome = try await returns.submit(
                    ReturnSubmission(
                        employerID: employerID, period: period, submittedBy: principal.actor, header: body,
                        idempotencyKey: key))
                return try submissionResponse(outcome)
            },
            APIRoute(.get, "/v1/employers/{employer}/returns/{period}", .readReturns) { _, context, principal in
                let employerID = try id("employer", context)
                let period = try period(context)
                let versions = try await returns.history(employerID: employerID, period: period)
                guard !versions.isEmpty else {
                    throw Problem(.notFound, "employer \(employerID) has sent no return for \(period)")
                }
                let full = AccessPolicy.seesWorkerDetail(principal)
                return try APIJSON.response(["versions": full ? versions : versions.map { $0.forReps() }])
            },
            APIRoute(.get, "/v1/employers/{employer}/returns/{period}/versions/{version}", .readReturns) {
                _, context, principal in
                let employerID = try id("employer", context)
                let period = try period(context)
                let number = try id("version", context)
                guard number <= Int32.max,
                    let shown = try await returns.show(employerID: employerID, period: period, version: Int(number))
                else {
                    throw Problem(.notFound, "employer \(employerID) has no version \(number) of its \(period) return")
                }
                guard AccessPolicy.seesWorkerDetail(principal) else {
                    return try APIJSON.response(
                        ShownVersion(version: shown.version.forReps(), header: shown.header.forReps()))
                }
                return try APIJSON.response(ShownVersion(version: shown.version, header: shown.header))
            },
            APIRoute(.get, "/v1/employers/{employer}/returns/{period}/diff", .readReturns) {
                request, context, principal in
                let employerID = try id("employer", context)
                let period = try period(context)
                guard
                    let from = try query(
                        request, "from", "a version number",
                        { Int($0).flatMap { (1...Int(Int32.max)).contains($0) ? $0 : nil } }),
                    let to = try query(
                        request, "to", "a version number",
                        { Int($0).flatMap { (1...Int(Int32.max)).contains($0) ? $0 : nil } })
                else {
                    throw Problem(.badRequest, "say which versions to compare: ?from=1&to=2")
                }
                let diff = try await returns.diff(employerID: employerID, period: period, from: from, to: to)
                return try APIJSON.response(AccessPolicy.seesWorkerDetail(principal) ? diff : diff.forReps())
            },
        ]
    }

    /// One version with its header: the header in full, or as reps see it (`ReturnHeader.ForReps`).
    struct ShownVersion<Header: Encodable>: Encodable {
        var version: ReturnVersion
        var header: Header
    }

    /// 201 for a new version, 200 when nothing changed (or a replay), 422 with every error otherwise.
    static func submissionResponse(_ outcome: SubmissionOutcome) throws -> Response {
        switch outcome {
        case .accepted(let result):
            var response = try APIJSON.response(
                result, status: result.status == .created && !result.replayed ? .created : .ok)
            if result.replayed { response.headers[HTTPField.Name("Idempotent-Replayed")!] = "true" }
            return response
        case .rejected(let report):
            let first = report.errors.first.map { " — first: \($0)" } ?? ""
            throw Problem(
                .unprocessableContent,
                "the return was rejected with \(report.totalErrors) error\(report.totalErrors == 1 ? "" : "s") and nothing was stored\(first)",
                errors: report.errors.map { Problem.Item(line: $0.line, column: $0.column, message: $0.message) },
                totalErrors: report.totalErrors)
        }
    }
}

extension CharterAPI {
    /// A return as a `multipart/form-data` upload: a `header` part (the JSON header, up to 1 MiB)
    /// followed by a `lines` part (the worker-line CSV), streamed into the store as it arrives.
    static func uploadRoute(pool: PGPool) -> APIRoute {
        APIRoute(.post, "/v1/employers/{employer}/returns/{period}/upload", .submitReturn) {
            request, context, principal in
            let employerID = try id("employer", context)
            let period = try period(context)
            let type = request.headers[.contentType] ?? ""
            guard let boundary = MultipartParser.boundary(fromContentType: type) else {
                throw Problem(
                    .unsupportedMediaType,
                    "upload the return as multipart/form-data with a header part and a lines part"
                        + (type.isEmpty ? "" : ", not \(type)"))
            }
            let key = request.headers[HTTPField.Name("Idempotency-Key")!]
            let reader = MultipartBodyReader(body: request.body, boundary: boundary, maximumBytes: 1 << 30)
            var header: [UInt8]?
            while let event = try await reader.nextEvent() {
                guard case .partBegin(let part) = event else { continue }
                switch part.name {
                case "header":
                    let bytes = try await reader.collectPart(named: "header", limit: 1 << 20)
                    _ = try APIJSON.parse(Data(bytes), what: "the header part")
                    header = bytes
                case "lines":
                    guard let header else {
                        throw Problem(.badRequest, "send the header part before the lines part")
                    }
                    let outcome = try await ReturnStore(pool: pool).submit(
                        ReturnSubmission(
                            employerID: employerID, period: period, submittedBy: principal.actor,
                            header: Data(header), idempotencyKey: key),
                        csv: reader.streamPart(named: "lines"))
                    return try submissionResponse(outcome)
                default:
                    throw Problem(
                        .badRequest,
                        "the upload has a part named \(part.name.excerpt()); it takes a header part and a lines part",
                        errors: [Problem.Item(field: part.name, message: "is not a part of a return upload")])
                }
            }
            throw Problem(.badRequest, "the upload has no lines part (the worker-line CSV)")
        }
    }
}
