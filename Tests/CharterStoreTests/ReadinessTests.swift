import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import PGClient
import Testing

/// Readiness (SPEC §10): an aspiring employer's latest return judged as if accredited lists exactly the
/// standards that would then be breaches — not those that are warnings at both tiers — and writes nothing.
@Suite("What stands between an employer and accreditation", .timeLimit(.minutes(10)))
struct ReadinessTests {
    let fixture: StoreFixture
    let nightly: NightlyComplianceTests
    init() async throws {
        nightly = try await NightlyComplianceTests()
        fixture = nightly.fixture
    }

    var readiness: Readiness { Readiness(pool: fixture.pool) }

    @Test func exactlyTheStandardsThatWouldBreachAtAccreditedAreListed() async throws {
        let employer = try await nightly.pledgedEmployer(tier: "aspiring")
        var lines = (1...20).map { NightlyComplianceTests.line("W\($0)") }
        // One penny under the Real Living Wage (13.45 in force): a warning at aspiring, a breach at accredited.
        lines[0] = NightlyComplianceTests.line("W1", rate: "13.44")
        // Exactly the Real Living Wage: no finding at any tier.
        lines[1] = NightlyComplianceTests.line("W2", rate: "13.45")
        // No apprentices or placements: a warning at both tiers (as is the return being late).
        let header = NightlyComplianceTests.goodHeader
            .replacingOccurrences(
                of: #""apprentices": 2, "work_placements": 1"#, with: #""apprentices": 0, "work_placements": 0"#
            )
        try await nightly.submit(employer, lines, header: header)
        // The night, at the employer's own tier, flags the return for all three.
        _ = try await nightly.nightly.run(asOf: nightly.asOf)
        let raised = Set(try await nightly.flags(employer).keys)
        #expect(raised.isSuperset(of: ["pay.real-living-wage", "just.young-people", "gov.return-late"]))
        let flagsBefore = try await fixture.count("SELECT count(*) FROM flags")

        let report = try await readiness.assess(employerID: employer)
        #expect(report.currentTier == .aspiring)
        #expect(report.period == ReportingPeriod("2026-Q3"))
        #expect(report.returnVersion == 1)
        #expect(report.breaches.map(\.standardID) == ["pay.real-living-wage"])
        #expect(report.breaches.first?.evidence.workerRefs == ["W1"])
        #expect(!report.ready)
        #expect(report.summary == "Judged as if accredited, the 2026-Q3 return (version 1) would breach 1 standard.")
        // Nothing was written: no flag, no run.
        #expect(try await fixture.count("SELECT count(*) FROM flags") == flagsBefore)
    }

    @Test func aCleanReturnIsReadyAndNoReturnSaysSo() async throws {
        let employer = try await nightly.pledgedEmployer(tier: "aspiring")
        let none = try await readiness.assess(employerID: employer)
        #expect(none.period == nil && !none.ready)
        #expect(none.summary.hasPrefix("There is no return to judge yet"))

        try await nightly.submit(employer, (1...20).map { NightlyComplianceTests.line("W\($0)") })
        let clean = try await readiness.assess(employerID: employer)
        #expect(clean.breaches.isEmpty)
        #expect(clean.ready)
        #expect(clean.summary.contains("meets every standard"))

        await #expect(throws: CharterStoreError.self) { try await readiness.assess(employerID: 999_999) }
    }
}
