import CharterApp
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PGClient
import Testing

/// A flag action through the API queues its notice in the action's transaction when the server has
/// a report queue.
@Suite("Flag notices from the API", .timeLimit(.minutes(10)))
struct APIFlagNoticeTests {
    /// The real renderer, as charterd's.
    static func queue() throws -> ReportQueue {
        ReportQueue(renderer: try ReportRenderer(configuration: CharterConfiguration()))
    }

    /// Runs the nightly run over `setup`'s employer, then `body` with charterd's router (flag actions
    /// queueing through `queue`) and the first flag's id; what the run reported is returned.
    @discardableResult
    static func afterANightlyRun(
        _ setup: APITests.Setup, queue: ReportQueue, runQueue: ReportQueue? = nil,
        _ body: @escaping @Sendable (any TestClientProtocol, Int64) async throws -> Void
    ) async throws -> ComplianceRunReport {
        let report = try await NightlyCompliance(pool: setup.pool, reportQueue: runQueue).run(
            asOf: CalendarDate(year: 2026, month: 11, day: 27)!)
        let flag = try await setup.pool.withConnection {
            try await $0.query("SELECT min(id) AS id FROM flags")[0].decode(Int64.self, column: "id")
        }
        let application = CharterServer.application(
            configuration: CharterConfiguration(), pool: setup.pool, logger: Logger(label: "test"), reportQueue: queue)
        // The database is read inside `body`, while the application (which owns the pool) still runs.
        try await application.test(.router) { client in try await body(client, flag) }
        return report
    }

    /// The employer's response to `flag`, through the API.
    static func respond(_ client: any TestClientProtocol, _ setup: APITests.Setup, to flag: Int64) async throws {
        try await client.execute(
            uri: "/v1/flags/\(flag)/respond", method: .post, headers: APITests.headers(setup.employerToken),
            body: ByteBuffer(string: #"{"explanation": "Our payroll provider failed to file"}"#)
        ) { #expect($0.status == .ok) }
    }

    @Test func anEmployersResponseReachesTheCoveringRep() async throws {
        let setup = try await APITests.setUp("api-notices")
        try await Self.afterANightlyRun(setup, queue: try Self.queue()) { client, flag in
            try await Self.respond(client, setup, to: flag)
            try await client.execute(
                uri: "/v1/flags/\(flag)/acknowledge", method: .post,
                headers: APITests.headers(setup.repToken, json: false)
            ) { #expect($0.status == .ok) }
            let queued = try await setup.pool.withConnection {
                try await $0.query("SELECT kind, recipients FROM outbox_messages ORDER BY id").map {
                    (try $0.decode(String.self, column: "kind"), try $0.decode([String].self, column: "recipients"))
                }
            }
            #expect(queued.map(\.0) == ["flag-notice"])
            #expect(queued.first?.1 == ["jo@union.example"])
        }
    }

    @Test func aRepStoredWithAnAddressNoMessageCanCarryHoldsUpNeitherTheNightlyRunNorAFlagAction() async throws {
        let setup = try await APITests.setUp("api-bad-address")
        // Stored before addresses were checked as strictly as now (the table's own check is looser).
        try await setup.pool.withConnection {
            try await $0.execute("UPDATE reps SET email = 'jo..bloggs@union.example' WHERE email = 'jo@union.example'")
        }
        let queue = try Self.queue()
        let report = try await Self.afterANightlyRun(setup, queue: queue, runQueue: queue) { client, flag in
            try await Self.respond(client, setup, to: flag)
            let explanation = try await setup.pool.withConnection {
                try await $0.query("SELECT explanation FROM flags WHERE id = \(flag)")[0].decode(
                    String?.self, column: "explanation")
            }
            let notices = try await setup.pool.withConnection {
                try await $0.query("SELECT count(*)::int AS n FROM outbox_messages WHERE kind = 'flag-notice'")[0]
                    .decode(Int.self, column: "n")
            }
            // The response is stored; its notice to the rep could not be rendered and was left out.
            #expect(explanation == "Our payroll provider failed to file")
            #expect(notices == 0)
        }
        // The run went ahead: its flags are written, and the rep's digest is said among its errors.
        #expect(report.flagsOpened > 0)
        #expect(report.errors.count == 1)
        #expect(report.errors.first?.hasPrefix("the rep-digest rep-digest:") == true)
        #expect(report.errors.first?.contains("cannot be built") == true)
    }
}
