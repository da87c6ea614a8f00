import CharterAccess
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import HTTPTypes
import Hummingbird
import PGClient
import Scheduling

extension CharterAPI {
    struct RunRequest: Decodable {
        var asOf: String?
        var dryRun: Bool?

        static let fields: Set<String> = ["as_of", "dry_run"]
    }

    /// A run triggered here queues its digests through `reportQueue`, as the scheduled run does.
    static func runRoutes(pool: PGPool, reportQueue: ReportQueue?) -> [APIRoute] {
        let log = JobRunLog(pool: pool)
        return [
            APIRoute(.get, "/v1/runs", .readRuns) { request, _, _ in
                let limit = try query(
                    request, "limit", "a number from 1 to 500",
                    { Int($0).flatMap { (1...500).contains($0) ? $0 : nil } })
                let runs = try await log.recent(job: request.uri.queryParameters.get("job"), limit: limit ?? 50)
                return try APIJSON.response(["runs": runs])
            },
            APIRoute(.get, "/v1/runs/{run}", .readRuns) { _, context, _ in
                let id = try id("run", context)
                guard let run = try await log.run(id: id) else { throw Problem(.notFound, "there is no run \(id)") }
                return try APIJSON.response(run)
            },
            // Runs the nightly compliance job now (or a dry run, which writes nothing) and answers its report.
            APIRoute(.post, "/v1/runs/nightly-compliance", .triggerRun) { request, context, principal in
                let asked = try await APIJSON.decode(
                    RunRequest.self, from: request, context: context, fields: RunRequest.fields)
                let asOf =
                    try asked.asOf.map { try date($0, field: "as_of") } ?? CalendarDate(Date(), in: .europeLondon)
                let report = try await NightlyCompliance(pool: pool, reportQueue: reportQueue).runByHand(
                    asOf: asOf, dryRun: asked.dryRun ?? false, actor: principal.actor)
                return try APIJSON.response(report)
            },
        ]
    }
}
