import Foundation
import TestSupport
import Testing

/// The employer and return commands of `charterctl`, run as a payroll clerk or the charter team would.
@Suite("charterctl employers, pledges and returns", .timeLimit(.minutes(10)))
struct CharterCtlReturnTests {
    let workspace: CharterCtlWorkspace

    init() async throws { workspace = try await CharterCtlWorkspace("ctlreturns") }

    func run(_ arguments: [String]) async throws -> CharterCtlTests.Outcome { try await workspace.run(arguments) }

    func write(_ name: String, _ text: String) throws -> String { try workspace.write(name, text) }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static let columns =
        "worker_ref,employment_type,contract_type,age_band,workplace_london,hourly_rate,contracted_hours,"
        + "avg_actual_hours_12w,zhc_by_request,start_date,shifts_scheduled,shifts_short_notice,"
        + "shifts_cancelled_short_notice,shifts_cancelled_paid"

    @Test func aReturnWithThreeErrorsIsRejectedAndACorrectedOneIsStored() async throws {
        let added = try await run([
            "employer", "add", "--name", "Wirral Care Ltd", "--company-number", "01234567", "--format", "json",
        ])
        #expect(added.status == 0, "\(added.stderr)")
        let employer = try #require(try json(added.stdout)["id"] as? Int)
        let pledge = try await run([
            "pledge", "add", "--employer", "\(employer)", "--tier", "aspiring", "--from", "2026-01-01",
        ])
        #expect(pledge.status == 0, "\(pledge.stderr)")

        let header = try write(
            "header.json",
            #"{"period": "2026-Q3", "headcount": 4, "attestations": {"sick_pay_waiting_days": 0}}"#)
        let bad = try write(
            "bad.csv",
            [
                Self.columns,
                "W1,direct,permanent,21_plus,no,13.50,37.5,37.5,,2021-03-01,60,2,1,1",
                "W2,direct,permanent,21_plus,maybe,13.50,37.5,37.5,,2021-03-01,60,2,1,1",
                "W3,direct,zero_hours,21_plus,no,13.50,0,12,yes,2021-13-01,60,2,1,1",
                "W4,direct,permanent,21_plus,no,13.50,37.5,37.5,,2021-03-01,60,2,1,3",
            ].joined(separator: "\n") + "\n")
        let rejected = try await run([
            "return", "submit", "--employer", "\(employer)", "--period", "2026-Q3", "--header", header, "--lines", bad,
        ])
        #expect(rejected.status == 1)
        #expect(rejected.stderr.contains("rejected with 3 errors"))
        #expect(rejected.stderr.contains("line 3, column workplace_london"))
        #expect(rejected.stderr.contains("line 4, column start_date"))
        #expect(rejected.stderr.contains("line 5, column shifts_cancelled_paid"))
        let none = try await run([
            "return", "history", "--employer", "\(employer)", "--period", "2026-Q3", "--format", "json",
        ])
        #expect(none.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]")

        let asJSON = try await run([
            "return", "submit", "--employer", "\(employer)", "--period", "2026-Q3", "--header", header, "--lines", bad,
            "--format", "json",
        ])
        #expect(asJSON.status == 1)
        let errors = try #require(try json(asJSON.stdout)["errors"] as? [[String: Any]])
        #expect(errors.compactMap { $0["line"] as? Int } == [3, 4, 5])

        let good = try write(
            "good.csv",
            [
                Self.columns,
                "W1,direct,permanent,21_plus,no,13.50,37.5,37.5,,2021-03-01,60,2,1,1",
                "W2,direct,permanent,21_plus,no,13.50,37.5,37.5,,2021-03-01,60,2,1,1",
                "W3,direct,zero_hours,21_plus,no,13.50,0,12,yes,2021-12-01,60,2,1,1",
                "W4,direct,permanent,21_plus,no,13.50,37.5,37.5,,2021-03-01,60,2,3,3",
            ].joined(separator: "\n") + "\n")
        let stored = try await run([
            "return", "submit", "--employer", "\(employer)", "--period", "2026-Q3", "--header", header, "--lines", good,
        ])
        #expect(stored.status == 0, "\(stored.stderr)")
        #expect(stored.stdout.contains("Stored version 1 of employer \(employer)'s 2026-Q3 return: 4 worker lines"))

        let again = try await run([
            "return", "submit", "--employer", "\(employer)", "--period", "2026-Q3", "--header", header, "--lines", good,
            "--format", "json",
        ])
        #expect(again.status == 0)
        #expect(try json(again.stdout)["status"] as? String == "unchanged")

        let shown = try await run(["return", "show", "--employer", "\(employer)", "--period", "2026-Q3"])
        #expect(shown.stdout.contains("version 1"))
        #expect(shown.stdout.contains("4 worker lines, headcount 4"))
    }

    @Test func theGPGSampleImportsOnceAndAgainWithoutDuplicates() async throws {
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appending(path: "Fixtures/gpg-2021-22-sample.csv")
        let first = try await run(["employer", "import-gpg", sample.path, "--format", "json"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try json(first.stdout)["inserted"] as? Int == 7)
        let second = try await run(["employer", "import-gpg", sample.path, "--format", "json"])
        #expect(try json(second.stdout)["unchanged"] as? Int == 7)
        let listed = try await run(["employer", "list", "--search", "red band", "--format", "json"])
        let employers = try #require(
            try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(employers.count == 1)
        #expect(employers.first?["company_number"] as? String == "SC016876")
    }

    @Test func aLooseningOverrideIsRefusedWithTheReason() async throws {
        let added = try await run(["employer", "add", "--name", "Sefton Buses", "--format", "json"])
        let employer = try #require(try json(added.stdout)["id"] as? Int)
        let refused = try await run([
            "pledge", "add", "--employer", "\(employer)", "--tier", "accredited", "--from", "2026-01-01",
            "--overrides", #"{"hours.zero-hours-share": {"threshold_percent": 8}}"#,
        ])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("threshold_percent 8 would loosen"))
        let listed = try await run(["pledge", "list", "--employer", "\(employer)", "--format", "json"])
        #expect(listed.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]")
    }

    @Test func ratesCanBeListedAndAdded() async throws {
        let added = try await run([
            "rates", "add", "--rate-year", "2026-27", "--uk", "13.90", "--london", "15.10", "--announced", "2026-10-20",
            "--deadline", "2027-05-01",
        ])
        #expect(added.status == 0, "\(added.stderr)")
        let listed = try await run(["rates", "list", "--format", "json"])
        let rates = try json(listed.stdout)
        let living = try #require(rates["real_living_wage"] as? [[String: Any]])
        #expect(living.compactMap { $0["rate_year"] as? String } == ["2023-24", "2024-25", "2025-26", "2026-27"])
        let duplicate = try await run([
            "rates", "add", "--rate-year", "2026-27", "--uk", "13.90", "--london", "15.10", "--announced", "2026-10-20",
            "--deadline", "2027-05-01",
        ])
        #expect(duplicate.status == 1)
        #expect(duplicate.stderr.contains("exists already"))
    }

    @Test func theNightlyRunCanBeRunByHandDryFirst() async throws {
        let added = try await run(["employer", "add", "--name", "Knowsley Kitchens", "--format", "json"])
        let employer = try #require(try json(added.stdout)["id"] as? Int)
        _ = try await run([
            "pledge", "add", "--employer", "\(employer)", "--tier", "accredited", "--from", "2025-01-01",
        ])
        let header = try write(
            "nightly-header.json",
            #"{"period": "2026-Q3", "headcount": 2, "attestations": {"sick_pay_waiting_days": 0}}"#)
        let lines = try write(
            "nightly.csv",
            [
                Self.columns,
                "K1,direct,permanent,21_plus,no,12.90,37.5,37.5,,2021-03-01,60,2,1,1",
                "K2,direct,permanent,21_plus,no,14.00,37.5,37.5,,2021-03-01,60,2,1,1",
            ].joined(separator: "\n") + "\n")
        let stored = try await run([
            "return", "submit", "--employer", "\(employer)", "--period", "2026-Q3", "--header", header, "--lines",
            lines,
        ])
        #expect(stored.status == 0, "\(stored.stderr)")

        let dry = try await run(["run", "nightly-compliance", "--as-of", "2026-11-01", "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("Dry run (nothing written)"))
        #expect(dry.stdout.contains("opened\temployer \(employer)\t2026-Q3\tpay.real-living-wage"))
        let none = try await run(["flags", "list", "--employer", "\(employer)"])
        #expect(none.stdout.contains("0 flags"))

        let real = try await run(["run", "nightly-compliance", "--as-of", "2026-11-01", "--format", "json"])
        #expect(real.status == 0, "\(real.stderr)")
        #expect(try json(real.stdout)["returns_evaluated"] as? Int == 1)
        let listed = try await run([
            "flags", "list", "--employer", "\(employer)", "--state", "open", "--format", "json",
        ])
        let flags = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        let rlw = try #require(flags.first { $0["standard_id"] as? String == "pay.real-living-wage" })
        #expect(rlw["severity"] as? String == "breach")
        let shown = try await run(["flags", "show", "\(rlw["id"] as? Int ?? 0)"])
        #expect(shown.stdout.contains("pay.real-living-wage"))
        #expect(shown.stdout.contains("opened"))
        #expect(shown.stdout.contains("K1"))

        let again = try await run(["run", "nightly-compliance", "--as-of", "2026-11-01", "--format", "json"])
        #expect(try json(again.stdout)["returns_evaluated"] as? Int == 0)
        #expect((try json(again.stdout)["changes"] as? [Any])?.isEmpty == true)
    }
}
