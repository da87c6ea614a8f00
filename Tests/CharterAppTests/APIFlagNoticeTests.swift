import CharterApp
import CharterDomain
import CharterStore
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
@Suite("Flag notices from the API")
struct APIFlagNoticeTests {
    @Test func anEmployersResponseReachesTheCoveringRep() async throws {
        let setup = try await APITests.setUp("api-notices")
        _ = try await NightlyCompliance(pool: setup.pool).run(asOf: CalendarDate(year: 2026, month: 11, day: 27)!)
        let flag = try await setup.pool.withConnection {
            try await $0.query("SELECT min(id) AS id FROM flags")[0].decode(Int64.self, column: "id")
        }
        let queue = ReportQueue(renderer: try ReportRenderer(configuration: CharterConfiguration()))
        let application = CharterServer.application(
            configuration: CharterConfiguration(), pool: setup.pool, logger: Logger(label: "test"), reportQueue: queue)
        try await application.test(.router) { client in
            try await client.execute(
                uri: "/v1/flags/\(flag)/respond", method: .post, headers: APITests.headers(setup.employerToken),
                body: ByteBuffer(string: #"{"explanation": "Our payroll provider failed to file"}"#)
            ) { #expect($0.status == .ok) }
            try await client.execute(
                uri: "/v1/flags/\(flag)/acknowledge", method: .post,
                headers: APITests.headers(setup.repToken, json: false)
            ) { #expect($0.status == .ok) }
            let queued = try await setup.pool.withConnection {
                try await $0.query("SELECT kind, recipients FROM outbox_messages ORDER BY id").map {
                    (try $0.decode(String.self, column: "kind"), try $0.decode([String].self, column: "recipients"))
                }
            }
            // Queried while the application (which owns the pool as a service) still runs.
            #expect(queued.map(\.0) == ["flag-notice"])
            #expect(queued.first?.1 == ["jo@union.example"])
        }
    }
}
