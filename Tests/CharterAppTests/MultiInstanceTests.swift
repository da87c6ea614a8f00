import CharterAccess
import CharterStore
import Foundation
import PGClient
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Three real `charterd` processes on one PostgreSQL database, as a council scales out: scheduled
/// occurrences run once, each email goes out once, every instance serves the API, and SIGTERM to one
/// of them in the middle of the work loses nothing.
@Suite("Three charterd instances on one database", .timeLimit(.minutes(10)))
struct MultiInstanceTests {
    func get(_ url: URL, token: String) async throws -> Int {
        var request = URLRequest(url: url)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    @Test(.timeLimit(.minutes(5)))
    func threeInstancesShareTheWorkAndEachThingHappensOnce() async throws {
        let database = try await MigratedDatabase("multi-instance")
        let conninfo = database.conninfo
        let pool = database.pool
        let token = try await TokenStore(pool: pool).create(
            role: .admin, employerID: nil, repID: nil, label: "multi-instance", expiresAt: nil, createdBy: "test"
        ).token.text
        // Enough mail that the first instance is stopped while the three are still sending it.
        let messages = 300
        try await pool.withTransaction { try await NumberedMail.queue(messages, on: $0) }
        func count(_ sql: PGQuery) async throws -> Int {
            try await pool.withConnection { try await $0.query(sql)[0].decode(Int.self, column: "n") }
        }

        let root = URL(fileURLWithPath: "/tmp/cw-multi-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        let environment = [
            "CHARTERD_DATABASE_URL": conninfo, "CHARTERD_MAIL_TRANSPORT": "eml",
            // Every minute, so a test sees several occurrences.
            "CHARTERD_JOB_SCHEDULES": "nightly-compliance=* * * * *",
        ].merging(TestAuditKey.environment) { $1 }
        let states = (0..<3).map { root.appending(path: "instance-\($0)") }
        let instances = try states.map { try DaemonProcess(stateDirectory: $0, environment: environment) }
        var urls: [URL] = []
        for instance in instances { urls.append(try await instance.listeningURL()) }

        // Every instance serves the API.
        for url in urls {
            #expect(try await get(url.appending(path: "v1/employers"), token: token) == 200)
            #expect(try await get(url.appending(path: "readyz"), token: token) == 200)
        }

        // SIGTERM to one instance while the mail is going out.
        try await eventually("some mail is sent", within: .seconds(60)) {
            try await count("SELECT count(*) AS n FROM outbox_messages WHERE state = 'sent'") >= 20
        }
        #expect(try await instances[0].terminate() == 0)
        try await eventually("all the mail is sent", within: .seconds(120)) {
            try await count("SELECT count(*) AS n FROM outbox_messages WHERE state = 'sent'") == messages
        }
        var files: [String] = []
        for state in states {
            let directory = state.appending(path: "mail")
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            files += names.filter { $0.hasSuffix(".eml") }
        }
        #expect(files.count == messages, "each message written once across the three instances")
        #expect(Set(files).count == messages)

        // Two scheduled occurrences, each run once, to success, by one of the instances.
        try await eventually("two nightly occurrences have run", within: .seconds(150)) {
            try await count(
                "SELECT count(*) AS n FROM job_runs WHERE job = 'nightly-compliance' AND outcome = 'succeeded'") >= 2
        }
        for instance in instances.dropFirst() { #expect(try await instance.terminate() == 0) }
        // The claim row is unique per occurrence, so duplicates cannot show in job_runs; what would show
        // is a second instance running an occurrence's body too. Every run that finished says so in
        // its instance's log: as many of those lines across the three as succeeded occurrences.
        let succeeded = try await count(
            "SELECT count(*) AS n FROM job_runs WHERE job = 'nightly-compliance' AND outcome = 'succeeded'")
        let finished = instances.map { $0.log.components(separatedBy: "nightly compliance run finished").count - 1 }
        #expect(finished.reduce(0, +) == succeeded, "runs finished per instance: \(finished)")
        await pool.close()
    }
}
