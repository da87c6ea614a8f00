import ArgumentParser
import CharterApp
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import PGClient

#if canImport(Glibc)
    import Glibc
#endif

/// Renders employer digests as complete messages (templates, CSV, MIME) the way the nightly run
/// will, and times it. No database: rendering is pure.
struct ReportsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reports",
        abstract: "Render 10,000 employer digests as complete messages; target ≤ 2 s.",
        discussion: """
            Generates DIGESTS employer digests, realistic for a nightly run: 1–5 flags each (new, changed,
            cleared, still open), most with 1–4 evidence lines, some employers with a return due, 1–3
            recipients, non-ASCII names. Renders each with the shipped templates into the bytes the outbox
            would store (subject, text and HTML bodies, the flags CSV, quoted-printable and base64), one
            after the other on one thread (or split among TASKS tasks), ROUNDS times after one unmeasured
            round, and prints the median time and messages/s. Build with -c release.

            With --queue, each round instead queues the digests the way the nightly run does
            (ReportQueue: keys already queued, last digests to the same recipients, rendering on every
            core, multi-row inserts into outbox_messages) in one transaction on a throwaway database,
            then rolls it back.
            """)

    @Option(help: "Employer digests per round.") var digests = 10_000
    @Option(help: "Measured rounds.") var rounds = 3
    @Option(help: "Tasks rendering at once, each a share of the digests (the renderer is Sendable).") var tasks = 1
    @ArgumentParser.Flag(help: "Queue the digests into the outbox of a throwaway database (rolled back) instead.")
    var queue = false
    @Option(help: "Working directory for the throwaway cluster with --queue (without CHARTERD_DATABASE_URL).")
    var workDirectory = "/tmp/charter-bench-reports"

    func run() async throws {
        let renderer = try ReportRenderer(
            templates: .embedded, publicURL: "https://charter.example.gov.uk", from: "charter@example.gov.uk")
        let reports = Self.generate(digests)
        let flags = reports.reduce(0) { total, report in
            if case .employerDigest(let digest) = report { return total + digest.flags.count }
            return total
        }
        if queue {
            print("\(reports.count) employer digests, \(flags) flags, queued into the outbox")
            try await withBenchDatabase(workDirectory: workDirectory) { conninfo, _ in
                try await measureQueueing(reports, renderer: renderer, conninfo: conninfo)
            }
            return
        }
        print("\(reports.count) employer digests, \(flags) flags, \(tasks) rendering task(s)")
        let date = Date(timeIntervalSince1970: 1_795_815_000)
        var times: [Double] = []
        var cpuTimes: [Double] = []
        for round in 0...rounds {
            let clock = ContinuousClock()
            let cpuStarted = Self.processCPUSeconds()
            let started = clock.now
            let bytes = try await Self.render(reports, with: renderer, date: date, tasks: tasks)
            let seconds = (clock.now - started).seconds
            let cpu = Self.processCPUSeconds() - cpuStarted
            if round == 0 {
                print(String(format: "warm-up  %.2f s, %.1f MiB of messages", seconds, Double(bytes) / 1_048_576))
                continue
            }
            times.append(seconds)
            cpuTimes.append(cpu)
            print(
                String(
                    format: "round %d  %.2f s  %8.0f messages/s  (CPU %.2f s)", round, seconds,
                    Double(reports.count) / seconds, cpu))
        }
        let median = times.median
        // Wall time counts whatever else the machine runs; CPU time is what rendering itself used.
        print(String(format: "median CPU time: %.2f s", cpuTimes.median))
        print(
            String(
                format: "median: %d digests in %.2f s, %.0f messages/s (target ≤ 2 s)", reports.count, median,
                Double(reports.count) / median))
    }

    /// Times `ReportQueue.queue` of every report in one transaction, rolled back each round.
    private func measureQueueing(_ reports: [Report], renderer: ReportRenderer, conninfo: String) async throws {
        let times = try await PGConnection.with(conninfo) { connection in
            _ = try await CharterSchema.migrator().migrate(on: connection)
            let queue = ReportQueue(renderer: renderer, clock: { Date(timeIntervalSince1970: 1_795_815_000) })
            var times: [Double] = []
            for round in 0...rounds {
                try await connection.simpleQuery("BEGIN")
                let clock = ContinuousClock()
                let started = clock.now
                let queued = try await queue.queue(reports, on: connection)
                let seconds = (clock.now - started).seconds
                try await connection.simpleQuery("ROLLBACK")
                guard queued == reports.count else {
                    throw BenchError("queued \(queued) of \(reports.count) digests; the outbox was not empty")
                }
                print(
                    String(
                        format: "%@  %.2f s  %8.0f messages/s", round == 0 ? "warm-up" : "round \(round)", seconds,
                        Double(queued) / seconds))
                if round > 0 { times.append(seconds) }
            }
            return times
        }
        let median = times.median
        print(
            String(
                format: "median: %d digests queued in %.2f s, %.0f messages/s", reports.count, median,
                Double(reports.count) / median))
    }

    /// Renders every report, split among `tasks` child tasks; returns the bytes rendered.
    static func render(_ reports: [Report], with renderer: ReportRenderer, date: Date, tasks: Int) async throws -> Int {
        let share = (reports.count + max(1, tasks) - 1) / max(1, tasks)
        return try await withThrowingTaskGroup(of: Int.self) { group in
            for start in stride(from: 0, to: reports.count, by: share) {
                let slice = reports[start..<min(start + share, reports.count)]
                group.addTask {
                    var bytes = 0
                    for report in slice { bytes += try renderer.render(report, date: date).message.count }
                    return bytes
                }
            }
            return try await group.reduce(0, +)
        }
    }

    /// User and system CPU time of this process so far (every thread).
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return user + system
    }

    /// The same digests every run.
    static func generate(_ count: Int) -> [Report] {
        var generator = SplitMix64(seed: 2026)
        let names = ["Łódź Café Ltd", "Siân's Bakery", "株式会社テスト UK", "Acme Cleaning Services", "O'Brien & Sons"]
        let people = ["Siân Ó Briain", "Jo Smith", "Zoë Müller", "佐藤 花子", "Alex Taylor"]
        let standards = [
            ("pay.real-living-wage", "Pay at least the Real Living Wage"),
            ("contracts.zero-hours", "No exploitative zero-hours contracts"),
            ("hours.match-work", "Contracted hours that match the work"),
            ("gov.return-missing", "Send the quarterly return"),
        ]
        let evidence = [
            "Workers paid below the Real Living Wage: 12", "Lowest hourly rate: £11.44 (rate £13.45)",
            "Largest shortfall: £2.01 an hour", "Workers: W104, W233, W871 and 9 more",
            "Average weekly hours over contract: 7.5", "Employer's note: \"we're reviewing this\", says HR",
        ]
        let changes: [ReportFlag.Change] = [.new, .new, .changed, .cleared, .unchanged]
        let asOf = CalendarDate(year: 2026, month: 11, day: 27)!
        let opened = asOf.start(in: .europeLondon)
        var nextFlag: Int64 = 1
        return (0..<count).map { index in
            let employerID = Int64(index + 1)
            let name = "\(names[index % names.count]) \(index)"
            let flagCount = 1 + Int(generator.next() % 5)
            let flags = (0..<flagCount).map { _ -> ReportFlag in
                let standard = standards[Int(generator.next() % UInt64(standards.count))]
                let change = changes[Int(generator.next() % UInt64(changes.count))]
                let lines = Int(generator.next() % 5)
                defer { nextFlag += 1 }
                let flag = Flag(
                    id: nextFlag, employerID: employerID, employerName: name, standardID: standard.0,
                    standardTitle: standard.1, period: ReportingPeriod(year: 2026, quarter: 3)!,
                    subject: lines == 0 ? "" : "Contract type zero_hours", state: change == .cleared ? .cleared : .open,
                    severity: .breach, openedAt: opened, updatedAt: opened)
                return ReportFlag(flag: flag, change: change, evidence: Array(evidence.prefix(lines)))
            }
            let recipients = (0..<(1 + Int(generator.next() % 3))).map { person in
                ReportRecipient(
                    name: people[(index + person) % people.count], email: "contact\(person)@employer\(index).example")
            }
            let due =
                index % 4 == 0
                ? [
                    DueReturn(
                        period: ReportingPeriod(year: 2026, quarter: 4)!,
                        dueDate: CalendarDate(year: 2027, month: 1, day: 31)!, daysUntilDue: 65)
                ] : []
            return .employerDigest(
                EmployerDigest(
                    employerID: employerID, employerName: name, recipients: recipients, flags: flags, dueReturns: due,
                    asOf: asOf))
        }
    }
}
