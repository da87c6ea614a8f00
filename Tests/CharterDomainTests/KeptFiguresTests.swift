import CharterDomain
import Foundation
import Testing

/// What a submission keeps of a return for the nightly run: the figures, packed, and the key of the
/// criteria they were measured with.
@Suite("Figures kept with a return version")
struct KeptFiguresTests {
    let rules = RuleFiguresTests()

    /// Many workers in every group, some with overtime below the rate, London and not, and agency workers.
    func manyLines(_ count: Int) -> [WorkerLine] {
        (0..<count).map { index in
            rules.line { line in
                line.workerRef = "R\(count - index)"
                line.hourlyRate = Decimal(string: index % 3 == 0 ? "9.10" : "12.9999")!
                line.overtimeRate = index % 5 == 0 ? Decimal(string: "8.5")! : nil
                line.workplaceLondon = index % 2 == 0
                line.contractedHours = Decimal(index % 40)
                line.lastHoursReview = nil
                line.employmentType = index % 7 == 0 ? .agency : .direct
                line.agencyParity = false
                line.shiftsScheduled = index % 9
            }
        }
    }

    @Test func packedFiguresReadBackEqual() throws {
        let criteria = try rules.criteria()
        for figures in [
            ReturnFigures(), ReturnFigures(lines: [RuleFiguresTests.baseline], criteria: criteria),
            ReturnFigures(lines: manyLines(1_000), criteria: criteria),
            ReturnFigures(
                directWorkers: 3, belowRealLivingWage: WorkerGroup(count: 1, workerRefs: ["Siân-1"], lowestRate: 0.01),
                belowUpcomingRealLivingWage: WorkerGroup(
                    count: 300, workerRefs: ["A"], lowestRate: Decimal(string: "12.3456"),
                    largestShortfall: Decimal(string: "1.2")), shiftsCancelledPaid: 1 << 40),
        ] {
            #expect(try ReturnFigures(packed: figures.packed) == figures)
        }
        let large = ReturnFigures(lines: manyLines(1_000), criteria: criteria)
        #expect(large.belowMinimumWage.count > WorkerGroup.maximumRefs)
        #expect(large.packed.count < 8_000, "a group names at most 100 workers, whatever its count")
    }

    @Test func anythingElseIsRefusedNotMisread() throws {
        let packed = ReturnFigures(lines: manyLines(50), criteria: try rules.criteria()).packed
        for bad in [[], [UInt8(9)] + packed.dropFirst(), Array(packed.dropLast()), packed + [0]] {
            #expect(throws: CharterDomainError.self) { try ReturnFigures(packed: bad) }
        }
    }

    /// Every attestation given, none given, and the values a header's JSON may carry at their edges: the packed
    /// copy the nightly run reads is the same header.
    @Test func packedHeadersReadBackEqual() throws {
        func date(_ text: String) throws -> CalendarDate { try #require(CalendarDate(iso: text)) }
        var full = Attestations()
        full.hsPolicyReviewedOn = try date("2026-01-31")
        full.equalityAuditOn = try date("1999-12-31")
        full.unionRightNoticeOn = try date("2026-02-28")
        full.recognitionAgreement = false
        full.unionRequests = [
            UnionRequest(receivedOn: try date("2026-03-01"), repliedOn: nil),
            UnionRequest(receivedOn: try date("2026-03-02"), repliedOn: try date("2026-03-30")),
        ]
        full.sickPayWaitingDays = -3
        full.flexibleWorkingDayOne = true
        full.apprentices = 0
        full.workPlacements = Int.max
        full.rlwPlanTarget = try date("2027-04-01")
        var empty = Attestations()
        empty.unionRequests = []
        let period = try #require(ReportingPeriod("2026-Q3"))
        for header in [
            ReturnHeader(period: period, headcount: 0, attestations: Attestations(), contractors: []),
            ReturnHeader(period: period, headcount: 12, attestations: empty, contractors: []),
            ReturnHeader(
                period: try #require(ReportingPeriod("1900-Q1")), headcount: Int.min, attestations: full,
                contractors: [
                    Contractor(
                        supplier: "Glanhau Cymru — Siân's", service: "cleaning", workers: 4, hoursPerDay: 2.1,
                        consecutiveWeeks: 52, rlwPaid: false, milestone: try date("2026-09-30")),
                    Contractor(
                        supplier: "", service: "", workers: -1, hoursPerDay: -0.0, consecutiveWeeks: 0, rlwPaid: true,
                        milestone: nil),
                ]),
        ] {
            let read = try ReturnHeader(packed: header.packed)
            #expect(read == header)
            #expect(read.contractors.map(\.hoursPerDay.bitPattern) == header.contractors.map(\.hoursPerDay.bitPattern))
        }
    }

    @Test func aPackedHeaderCutShortOrRunningOnIsRefused() throws {
        var attestations = Attestations()
        let received = try #require(CalendarDate(iso: "2026-03-01"))
        attestations.unionRequests = [UnionRequest(receivedOn: received, repliedOn: nil)]
        let packed = ReturnHeader(
            period: try #require(ReportingPeriod("2026-Q3")), headcount: 40, attestations: attestations,
            contractors: [
                Contractor(
                    supplier: "S", service: "security", workers: 2, hoursPerDay: 8, consecutiveWeeks: 3, rlwPaid: true,
                    milestone: nil)
            ]
        ).packed
        for bad in [[], [UInt8(9)] + packed.dropFirst(), Array(packed.dropLast()), packed + [0]] {
            #expect(throws: CharterDomainError.self) { try ReturnHeader(packed: bad) }
        }
    }

    /// Lines that stream past keep the first hundred references of a group in byte order, as the SQL
    /// does, however many there are and in whatever order they come.
    @Test func aTallyKeepsTheFirstHundredReferencesOfAnyNumber() throws {
        let lines = manyLines(2_500)
        let criteria = try rules.criteria()
        let figures = ReturnFigures(lines: lines, criteria: criteria)
        let adult = try #require(criteria.minimumWage[.twentyOnePlus])
        let below = lines.filter {
            $0.employmentType == .direct && min($0.hourlyRate, $0.overtimeRate ?? $0.hourlyRate) < adult
        }.map(\.workerRef)
        #expect(below.count > 4 * WorkerGroup.maximumRefs)
        #expect(figures.belowMinimumWage.count == below.count)
        #expect(figures.belowMinimumWage.workerRefs == Array(below.sorted().prefix(WorkerGroup.maximumRefs)))
    }

    /// Equal criteria give one key; a figure's parameter, a rate or the snapshot gives another. A parameter
    /// no figure is measured by (the zero-hours share's threshold) does not change the criteria at all.
    @Test func theKeyChangesWithWhatTheFiguresAreMeasuredBy() throws {
        let base = try rules.criteria()
        #expect(base.key == (try rules.criteria()).key)
        let longer = try rules.criteria(
            overrides: PledgeOverrides(["hours.reflect-actual": ["min_tenure_weeks": .number(20)]]))
        var corrected = base
        corrected.realLivingWage.london += Decimal(string: "0.01")!
        let keys = [base.key, longer.key, corrected.key, try rules.criteria("2026-06-30").key]
        #expect(Set(keys).count == keys.count)
        let threshold = try rules.criteria(
            overrides: PledgeOverrides(["hours.zero-hours-share": ["threshold_percent": .number(2)]]))
        #expect(threshold.key == base.key)
    }
}
