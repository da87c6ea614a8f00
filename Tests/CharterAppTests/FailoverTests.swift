import CharterAccess
import CharterDomain
import CharterStore
import EmbeddedPostgres
import Foundation
import Logging
import PGClient
import Synchronization
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// deploy/README §6, tested: charterd given both hosts of a primary and its streaming standby
/// (`pg_basebackup`, synchronous) with `target_session_attrs=read-write`, under load — returns submitted
/// through the API, the flag queue read, mail going out to a real SMTP server, the nightly run every
/// minute. The primary is stopped and the standby promoted: charterd serves again within 5 s; every
/// submission it answered 2xx is on the new primary; no email arrives twice; the nightly occurrence the
/// failover catches in flight (held inside its transaction by a lock until the primary stops) is tried
/// again on the new primary and completes once; a later occurrence runs there, and none runs twice.
@Suite("Failing over to a promoted standby", .timeLimit(.minutes(10)))
struct FailoverTests {
    /// Runs `program` as the account the clusters run as (postgres, when the test runs as root).
    static func runAsServerAccount(_ program: String, _ arguments: [String]) async throws {
        let command =
            geteuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--", program] + arguments : [program] + arguments
        let process = try SpawnedProcess(command[0], Array(command.dropFirst()), environment: [:])
        let status = try await process.exitStatus(within: .seconds(120))
        guard status == 0 else {
            throw CharterStoreError(.invalid, "\(program) failed: \(process.standardOutput)\(process.standardError)")
        }
    }

    static func socketDirectory(_ cluster: EmbeddedPostgres) throws -> String {
        String(try #require(cluster.conninfo.firstMatch(of: /host='([^']+)'/)).1)
    }

    /// What the load saw: the submissions answered 2xx (by their Idempotency-Key), when each answer
    /// came, and the requests that failed.
    /// The load's tally, and the flag that stops it. The load is stopped by the flag, not by cancelling its
    /// task: cancelling a task awaiting `URLSession` cancels the URLSessionTask, which in this platform's
    /// FoundationNetworking can trap ("Trying to access a behaviour for a task that in not in the registry")
    /// when the request has just finished — it crashed a CI run.
    final class Load: Sendable {
        struct State {
            var acknowledged: [(key: String, at: ContinuousClock.Instant)] = []
            var failures = 0
            var reads = 0
            var stopping = false
        }
        let state = Mutex(State())

        var isStopping: Bool { state.withLock { $0.stopping } }

        /// Asks the load to stop after the request in flight (each gives up after 10 s).
        func stop() { state.withLock { $0.stopping = true } }
    }

    static func submission(_ number: Int) -> String {
        """
        {"period": "2026-Q3", "headcount": \(number + 1), "attestations": {"sick_pay_waiting_days": 0},
         "lines": [{"worker_ref": "W\(number)", "employment_type": "direct", "contract_type": "permanent",
                    "age_band": "21_plus", "workplace_london": "no", "hourly_rate": "13.50",
                    "contracted_hours": "37.5", "start_date": "2021-03-01", "shifts_scheduled": "60",
                    "shifts_short_notice": "2", "shifts_cancelled_short_notice": "1", "shifts_cancelled_paid": "1"}]}
        """
    }

    @Test(.timeLimit(.minutes(4)))
    func charterdFollowsThePromotedStandbyAndNothingAcknowledgedIsLostOrRepeated() async throws {
        let root = URL(fileURLWithPath: "/tmp/cw-failover-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let primary = EmbeddedPostgres(
            directory: root.appending(path: "primary"), logger: Logger(label: "failover-primary"))
        let standbyHome = root.appending(path: "standby")
        let standby = EmbeddedPostgres(directory: standbyHome, logger: Logger(label: "failover-standby"))
        try await primary.start()
        do {
            try await exercise(primary: primary, standby: standby, standbyHome: standbyHome, root: root)
        } catch {
            try? await primary.stop()
            try? await standby.stop()
            throw error
        }
        try? await primary.stop()
        try await standby.stop()
    }

    func exercise(primary: EmbeddedPostgres, standby: EmbeddedPostgres, standbyHome: URL, root: URL) async throws {
        let key = try AuditKey(hex: TestAuditKey.hex)
        try AuditTrail.useKey(key)
        let seedPool = PGPool(configuration: PGPoolConfiguration(conninfo: primary.conninfo))
        try await seedPool.withConnection { connection in
            _ = try await CharterSchema.migrator().migrate(on: connection)
            try await AuditTrail.seal(on: connection, key: key, actor: "test")
        }
        let employer = try #require(
            try await EmployerStore(pool: seedPool).add(Employer(name: "Mersey Ferries Ltd"), actor: "test").id)
        _ = try await PledgeStore(pool: seedPool).add(
            employerID: employer, tier: .aspiring, livingHours: false, overrides: PledgeOverrides(),
            validFrom: CalendarDate(year: 2026, month: 1, day: 1)!, validTo: nil, actor: "test")
        let token = try await TokenStore(pool: seedPool).create(
            role: .admin, employerID: nil, repID: nil, label: "failover", expiresAt: nil, createdBy: "test"
        ).token.text
        let messages = 120
        try await seedPool.withTransaction { try await NumberedMail.queue(messages, on: $0) }
        await seedPool.close()

        // The standby: a base backup of the primary that streams from it, and is its synchronous standby.
        try FileManager.default.createDirectory(at: standbyHome, withIntermediateDirectories: true)
        if geteuid() == 0 {
            try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: standbyHome.path)
        }
        try await Self.runAsServerAccount(
            TestCluster.program("pg_basebackup"),
            [
                "-D", standbyHome.appending(path: "data").path, "-h", try Self.socketDirectory(primary), "-p", "5432",
                "-U", EmbeddedPostgres.databaseName, "-R", "-X", "stream", "-c", "fast",
            ])
        try await standby.start()
        // From now on commits wait for the standby to have them: an answered submission survives the
        // primary. (Set once the standby streams: a synchronous primary with no standby waits forever.)
        try await PGConnection.with(primary.conninfo) { connection in
            try await connection.execute("ALTER SYSTEM SET synchronous_standby_names = '*'")
            _ = try await connection.query("SELECT pg_reload_conf()")
        }
        try await eventually("the standby streams synchronously", within: .seconds(60)) {
            try await PGConnection.with(primary.conninfo) {
                try await $0.query("SELECT count(*) AS n FROM pg_stat_replication WHERE sync_state = 'sync'")[0]
                    .decode(Int.self, column: "n")
            } == 1
        }

        try await SMTPTestServer.with(["--plain"]) { smtp in
            let conninfo =
                "host='\(try Self.socketDirectory(primary)),\(try Self.socketDirectory(standby))' port=5432,5432 "
                + "user=\(EmbeddedPostgres.databaseName) dbname=\(EmbeddedPostgres.databaseName) "
                + "target_session_attrs=read-write"
            let daemon = try DaemonProcess(
                stateDirectory: root.appending(path: "charterd"),
                environment: [
                    "CHARTERD_DATABASE_URL": conninfo, "CHARTERD_MAIL_TRANSPORT": "smtp",
                    "CHARTERD_SMTP_URL":
                        "smtp://\(SMTPTestServer.username):"
                        + "\(SMTPTestServer.password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
                        + "@127.0.0.1:\(smtp.port)?starttls=off",
                    "CHARTERD_JOB_SCHEDULES": "nightly-compliance=* * * * *",
                ].merging(TestAuditKey.environment) { $1 })
            let url = try await daemon.listeningURL()
            let load = Load()
            let submit = url.appending(path: "v1/employers/\(employer)/returns/2026-Q3")
            let flags = url.appending(path: "v1/flags")
            let loading = Task {
                var number = 0
                while !load.isStopping {
                    number += 1
                    var request = URLRequest(url: submit)
                    request.httpMethod = "POST"
                    request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
                    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                    request.setValue("load-\(number)", forHTTPHeaderField: "Idempotency-Key")
                    request.httpBody = Data(Self.submission(number).utf8)
                    request.timeoutInterval = 10
                    let status = (try? await URLSession.shared.data(for: request)).flatMap {
                        ($0.1 as? HTTPURLResponse)?.statusCode
                    }
                    load.state.withLock { state in
                        if let status, (200..<300).contains(status) {
                            state.acknowledged.append(("load-\(number)", ContinuousClock.now))
                        } else {
                            state.failures += 1
                        }
                    }
                    var read = URLRequest(url: flags)
                    read.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
                    read.timeoutInterval = 10
                    if let (_, response) = try? await URLSession.shared.data(for: read),
                        (response as? HTTPURLResponse)?.statusCode == 200
                    {
                        load.state.withLock { $0.reads += 1 }
                    }
                }
            }
            do {
                try await eventually(
                    "some returns are in and some mail is out", within: .seconds(60)
                ) {
                    let delivered = try smtp.deliveries().count
                    return load.state.withLock { $0.acknowledged.count } >= 20 && delivered >= 10
                }
            } catch {
                let (acknowledged, failures) = load.state.withLock { ($0.acknowledged.count, $0.failures) }
                let delivered = (try? smtp.deliveries().count) ?? -1
                let said = String(daemon.log.suffix(3000))
                Issue.record(
                    Comment(
                        rawValue: "before the failover: \(acknowledged) answered 2xx, \(failures) failed, "
                            + "\(delivered) delivered; charterd said:\n\(said)"))
                load.stop()
                _ = await loading.value
                throw error
            }

            // A nightly occurrence in flight when the primary goes: held inside its transaction by a lock on the
            // table it reads first, until the primary stops under it.
            let blocker = try await PGConnection.connect(primary.conninfo)
            try await blocker.simpleQuery("BEGIN")
            try await blocker.simpleQuery("LOCK TABLE return_evaluations IN ACCESS EXCLUSIVE MODE")
            try await eventually("a nightly occurrence waits inside its run", within: .seconds(90)) {
                try await PGConnection.with(primary.conninfo) {
                    try await $0.query(
                        """
                        SELECT count(*) AS n FROM pg_locks
                        WHERE NOT granted AND relation = 'return_evaluations'::regclass
                        """)[0].decode(Int.self, column: "n")
                } >= 1
            }
            let caught = try await PGConnection.with(primary.conninfo) {
                try await $0.query(
                    "SELECT id FROM job_runs WHERE job = 'nightly-compliance' AND outcome = 'running'"
                ).map { try $0.decode(Int64.self, column: "id") }
            }
            #expect(caught.count == 1, "nightly occurrences running when the primary stopped: \(caught)")

            // The primary goes; the standby is promoted.
            try await primary.stop()
            await blocker.close()
            let promoted = try await PGConnection.with(standby.conninfo) {
                try await $0.query("SELECT pg_promote(true, 60) AS done")[0].decode(Bool.self, column: "done")
            }
            #expect(promoted)
            let promotedAt = ContinuousClock.now
            try await eventually("charterd answers a submission again", within: .seconds(30)) {
                load.state.withLock { $0.acknowledged.contains { $0.at > promotedAt } }
            }
            let firstAfter = try #require(load.state.withLock { $0.acknowledged.first { $0.at > promotedAt }?.at })
            #expect(firstAfter - promotedAt <= .seconds(5), "charterd served again \(firstAfter - promotedAt) after")
            print("failover: charterd answered a submission again \(firstAfter - promotedAt) after the promotion")
            try await eventually("more returns are in", within: .seconds(30)) {
                load.state.withLock { $0.acknowledged.filter { $0.at > promotedAt }.count } >= 20
            }
            load.stop()
            _ = await loading.value

            let pool = PGPool(configuration: PGPoolConfiguration(conninfo: standby.conninfo))
            func count(_ sql: PGQuery) async throws -> Int {
                try await pool.withConnection { try await $0.query(sql)[0].decode(Int.self, column: "n") }
            }
            // Every submission answered 2xx is on the new primary.
            let acknowledged = load.state.withLock { $0.acknowledged.map(\.key) }
            let stored = try await pool.withConnection { connection in
                Set(
                    try await connection.query(
                        "SELECT idempotency_key FROM return_versions WHERE idempotency_key IS NOT NULL"
                    ).map { try $0.decode(String.self, column: "idempotency_key") })
            }
            let failures = load.state.withLock { $0.failures }
            print("failover: \(acknowledged.count) submissions answered 2xx, \(failures) refused or failed")
            #expect(
                Set(acknowledged).subtracting(stored).isEmpty,
                "answered 2xx but lost: \(Set(acknowledged).subtracting(stored).sorted())")

            // Every message goes out, each once.
            try await eventually("all the mail is sent", within: .seconds(120)) {
                try await count("SELECT count(*) AS n FROM outbox_messages WHERE state = 'sent'") == messages
            }
            let subjects = NumberedMail.subjects(of: try smtp.deliveries())
            #expect(subjects.count == messages, "\(subjects.count) deliveries of \(messages) messages")
            #expect(Set(subjects).count == messages)

            // The occurrence the failover caught completes, once: its run is tried again on the new primary.
            for runID in caught {
                try await eventually(
                    "the occurrence caught by the failover completes", within: .seconds(60)
                ) {
                    try await count(
                        "SELECT count(*) AS n FROM job_runs WHERE id = \(runID) AND outcome = 'succeeded'") == 1
                }
                let finishedLines = daemon.log.split(separator: "\n").filter {
                    $0.contains("nightly compliance run finished") && $0.contains("run_id=\(runID) ")
                }
                #expect(finishedLines.count == 1, "run \(runID) finished \(finishedLines.count) times")
            }

            // A nightly occurrence after the failover runs, and every occurrence ran once.
            try await eventually(
                "a nightly occurrence runs on the new primary", within: .seconds(150)
            ) {
                try await count(
                    """
                    SELECT count(*) AS n FROM job_runs
                    WHERE job = 'nightly-compliance' AND outcome = 'succeeded' AND finished_at > now() - interval '50 seconds'
                    """) >= 1
            }
            #expect(try await daemon.terminate() == 0)
            let succeeded = try await count(
                "SELECT count(*) AS n FROM job_runs WHERE job = 'nightly-compliance' AND outcome = 'succeeded'")
            let finished = daemon.log.components(separatedBy: "nightly compliance run finished").count - 1
            #expect(
                finished == succeeded, "runs finished: \(finished), occurrences recorded as succeeded: \(succeeded)")
            await pool.close()
        }
    }
}
