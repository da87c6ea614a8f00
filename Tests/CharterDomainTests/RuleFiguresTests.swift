import CharterDomain
import Foundation
import Testing

/// `ReturnFigures(lines:criteria:)`, the Swift reference of the SQL pass: each population of
/// `ReturnFigures` at its boundaries, with the snapshot 2026-09-30 unless a test says otherwise.
@Suite("Rule figures from worker lines")
struct RuleFiguresTests {
    /// A direct, permanent, 21+ worker outside London on £14 for 37.5 hours, started in 2020, reviewed
    /// this year: in no group at all.
    static let baseline: WorkerLine = {
        let json = """
            {"workerRef": "W1", "employmentType": "direct", "contractType": "permanent", "ageBand": "21_plus",
             "apprenticeFirstYear": false, "workplaceLondon": false, "hourlyRate": 14, "contractedHours": 37.5,
             "zhcByRequest": false, "fewerHoursByRequest": false, "startDate": "2020-01-01",
             "lastHoursReview": "2026-06-01", "shiftsScheduled": 0, "shiftsShortNotice": 0,
             "shiftsCancelledShortNotice": 0, "shiftsCancelledPaid": 0}
            """
        return try! JSONDecoder().decode(WorkerLine.self, from: Data(json.utf8))
    }()

    func line(_ change: (inout WorkerLine) -> Void) -> WorkerLine {
        var line = Self.baseline
        change(&line)
        return line
    }

    func criteria(
        _ snapshot: String = "2026-09-30", overrides: PledgeOverrides = PledgeOverrides()
    ) throws -> ReturnFigures.Criteria {
        try ReturnFigures.Criteria(
            snapshot: day(snapshot),
            parameters: EvaluationInput.effectiveParameters(of: CharterFixture.version, overrides: overrides),
            rates: RateTable.specDefaults)
    }

    func figures(_ lines: [WorkerLine], snapshot: String = "2026-09-30") throws -> ReturnFigures {
        ReturnFigures(lines: lines, criteria: try criteria(snapshot))
    }

    func figures(snapshot: String = "2026-09-30", _ change: (inout WorkerLine) -> Void) throws -> ReturnFigures {
        try figures([line(change)], snapshot: snapshot)
    }

    @Test func theBaselineWorkerIsInNoGroup() throws {
        let figures = try figures([Self.baseline])
        #expect(figures == ReturnFigures(directWorkers: 1, belowUpcomingRealLivingWage: nil))
    }

    @Test func theCriteriaCutOffsFollowTheWordingOfTheStandards() throws {
        let criteria = try criteria()
        #expect(criteria.reflectStartedOnOrBefore == day("2026-07-08"))  // tenure ≥ 84 days
        #expect(criteria.offerWindowStart == day("2025-09-30"))
        #expect(criteria.firstReviewDueIfStartedBefore == day("2026-07-08"))  // tenure > 84 days
        #expect(criteria.reviewOverdueIfLastBefore == day("2026-03-31"))  // older than 183 days
        #expect(criteria.agencyParityIfStartedBefore == day("2026-07-08"))  // tenure > 12 weeks
        #expect(criteria.excludedContractTypes == ["apprentice", "intern", "volunteer"])
        #expect(criteria.minimumWage[.apprentice] == money("8.00"))
        let tightened = try self.criteria(
            overrides: PledgeOverrides(["hours.reflect-actual": ["min_tenure_weeks": .number(4)]]))
        #expect(tightened.reflectStartedOnOrBefore == day("2026-09-02"))
    }

    // MARK: - Pay

    @Test func belowTheMinimumWageIsStrictlyBelowTheBandRate() throws {
        let below = try figures { $0.hourlyRate = money("12.70") }.belowMinimumWage
        #expect(
            below
                == WorkerGroup(
                    count: 1, workerRefs: ["W1"], lowestRate: money("12.70"), largestShortfall: money("0.01")))
        #expect(try figures { $0.hourlyRate = money("12.71") }.belowMinimumWage == .none)
        let overtime = try figures { $0.overtimeRate = money("12.00") }.belowMinimumWage
        #expect(overtime.lowestRate == money("12.00"))
        #expect(overtime.largestShortfall == money("0.71"))
        #expect(
            try figures {
                $0.employmentType = .agency; $0.hourlyRate = 5
            }.belowMinimumWage == .none)
    }

    @Test func apprenticesGetTheApprenticeRateUnder19OrInTheirFirstYear() throws {
        func apprentice(_ band: AgeBand, firstYear: Bool) throws -> WorkerGroup {
            try figures {
                $0.contractType = .apprentice
                $0.ageBand = band
                $0.apprenticeFirstYear = firstYear
                $0.hourlyRate = money("8.00")
            }.belowMinimumWage
        }
        #expect(try apprentice(.twentyOnePlus, firstYear: true) == .none)
        #expect(try apprentice(.eighteen, firstYear: false) == .none)
        #expect(try apprentice(.under18, firstYear: false) == .none)
        #expect(try apprentice(.nineteenToTwenty, firstYear: false).largestShortfall == money("2.85"))  // 10.85
        #expect(try apprentice(.twentyOnePlus, firstYear: false).largestShortfall == money("4.71"))  // 12.71
    }

    @Test func theRealLivingWageUsesTheLondonRateInLondon() throws {
        #expect(try figures { $0.hourlyRate = money("13.44") }.belowRealLivingWage.count == 1)
        #expect(try figures { $0.hourlyRate = money("13.45") }.belowRealLivingWage == .none)
        let london = try figures {
            $0.workplaceLondon = true
            $0.hourlyRate = money("14.79")
        }.belowRealLivingWage
        #expect(london.largestShortfall == money("0.01"))
        #expect(
            try figures {
                $0.workplaceLondon = true
                $0.hourlyRate = money("14.80")
            }.belowRealLivingWage == .none)
    }

    @Test func under18sAndExcludedContractsAreOutOfTheRealLivingWage() throws {
        #expect(
            try figures {
                $0.ageBand = .under18
                $0.hourlyRate = 9
            }.belowRealLivingWage == .none)
        for contract in [ContractType.apprentice, .intern, .volunteer] {
            #expect(
                try figures {
                    $0.contractType = contract
                    $0.hourlyRate = 13
                }.belowRealLivingWage == .none)
        }
        let intern = line {
            $0.contractType = .intern
            $0.hourlyRate = 13
        }
        let tightened = try criteria(
            overrides: PledgeOverrides(["pay.real-living-wage": ["excluded_contract_types": .list(["apprentice"])]]))
        #expect(ReturnFigures(lines: [intern], criteria: tightened).belowRealLivingWage.count == 1)
    }

    @Test func theUpcomingRateIsOnlyComputedWhileOneIsAnnounced() throws {
        let q1 = try figures(snapshot: "2026-03-31") { $0.hourlyRate = 13 }
        #expect(q1.belowRealLivingWage == .none)  // 12.60 in force
        #expect(q1.belowUpcomingRealLivingWage?.largestShortfall == money("0.45"))  // 13.45 announced
        #expect(try figures { $0.hourlyRate = 13 }.belowUpcomingRealLivingWage == nil)
    }

    // MARK: - Hours

    @Test func zeroHoursWithoutConsentAndBelowLivingHours() throws {
        let zeroHours = try figures {
            $0.contractType = .zeroHours
            $0.contractedHours = 0
        }
        #expect(zeroHours.directZeroHours == 1)
        #expect(zeroHours.zeroHoursWithoutConsent.count == 1)
        #expect(zeroHours.belowLivingHours.count == 1)
        let byRequest = try figures {
            $0.contractType = .zeroHours
            $0.contractedHours = 0
            $0.zhcByRequest = true
        }
        #expect(byRequest.zeroHoursWithoutConsent == .none)
        #expect(byRequest.belowLivingHours == .none)
        #expect(try figures { $0.contractedHours = money("15.99") }.belowLivingHours.count == 1)
        #expect(try figures { $0.contractedHours = 16 }.belowLivingHours == .none)
        #expect(
            try figures {
                $0.contractedHours = 10
                $0.fewerHoursByRequest = true
            }.belowLivingHours == .none)
    }

    @Test func hoursNotReflectedFromAGapOfExactlyTheMargin() throws {
        func gap(
            actual: String?, start: String = "2026-07-08", offered: String? = nil
        ) throws -> Int {
            try figures {
                $0.contractedHours = 20
                $0.avgActualHours12w = actual.map(money)
                $0.startDate = day(start)
                $0.guaranteedHoursOffered = offered.map(day)
            }.hoursNotReflected.count
        }
        #expect(try gap(actual: "24") == 1)  // exactly 4 hours, exactly 12 weeks
        #expect(try gap(actual: "23.99") == 0)
        #expect(try gap(actual: nil) == 0)
        #expect(try gap(actual: "30", start: "2026-07-09") == 0)  // 83 days
        #expect(try gap(actual: "30", offered: "2025-09-30") == 0)  // offered within 12 months
        #expect(try gap(actual: "30", offered: "2025-09-29") == 1)  // the offer is too old
    }

    @Test func aReviewIsOverdueAfterEightyFourDaysUnreviewedOrAnIntervalOf183() throws {
        func overdue(contract: ContractType = .zeroHours, hours: String = "0", start: String, review: String?) throws
            -> Int
        {
            try figures {
                $0.contractType = contract
                $0.contractedHours = money(hours)
                $0.zhcByRequest = true
                $0.startDate = day(start)
                $0.lastHoursReview = review.map(day)
            }.reviewOverdue.count
        }
        #expect(try overdue(start: "2026-07-08", review: nil) == 0)  // 84 days
        #expect(try overdue(start: "2026-07-07", review: nil) == 1)  // 85 days
        #expect(try overdue(start: "2020-01-01", review: "2026-03-31") == 0)  // 183 days ago
        #expect(try overdue(start: "2020-01-01", review: "2026-03-30") == 1)  // 184
        #expect(try overdue(contract: .permanent, hours: "16", start: "2020-01-01", review: nil) == 0)
        #expect(try overdue(contract: .permanent, hours: "15.5", start: "2020-01-01", review: nil) == 1)
    }

    @Test func agencyWorkersAreOwedParityAfterTwelveWeeks() throws {
        func agency(start: String, parity: Bool?) throws -> ReturnFigures {
            try figures {
                $0.employmentType = .agency
                $0.startDate = day(start)
                $0.agencyParity = parity
            }
        }
        #expect(try agency(start: "2026-07-08", parity: false).agencyWithoutParity == .none)  // exactly 12 weeks
        #expect(try agency(start: "2026-07-07", parity: false).agencyWithoutParity.count == 1)
        #expect(try agency(start: "2020-01-01", parity: nil).agencyWithoutParity == .none)  // missing data
        #expect(try agency(start: "2020-01-01", parity: true).agencyWithoutParity == .none)
        #expect(try agency(start: "2020-01-01", parity: false).directWorkers == 0)
    }

    @Test func shiftsAreSummedOverEveryLineAndRefsAreSortedAndCapped() throws {
        let lines = (1...150).map { number in
            line {
                $0.workerRef = "W" + String(format: "%03d", 151 - number)
                $0.employmentType = number.isMultiple(of: 2) ? .agency : .direct
                $0.contractType = .zeroHours
                $0.contractedHours = 0
                $0.shiftsScheduled = 10
                $0.shiftsShortNotice = 1
                $0.shiftsCancelledShortNotice = 2
                $0.shiftsCancelledPaid = 1
            }
        }
        let figures = try figures(lines)
        #expect(figures.shiftsScheduled == 1_500)
        #expect(figures.shiftsShortNotice == 150)
        #expect(figures.shiftsCancelledShortNotice == 300)
        #expect(figures.shiftsCancelledPaid == 150)
        #expect(figures.directWorkers == 75)
        let consent = figures.zeroHoursWithoutConsent
        #expect(consent.count == 75)
        #expect(consent.workerRefs.count == 75)
        #expect(consent.workerRefs == consent.workerRefs.sorted())
        let everyone = lines.map { line in
            var direct = line
            direct.employmentType = .direct
            return direct
        }
        let all = try self.figures(everyone).zeroHoursWithoutConsent
        #expect(all.count == 150)
        #expect(all.workerRefs.count == 100)
        #expect(all.workerRefs.first == "W001")
        #expect(all.workerRefs.last == "W100")
    }

    /// From lines to findings: the hand-computed gap of exactly four hours is flagged.
    @Test func aWorkerFourHoursOverTheirContractIsFlaggedEndToEnd() throws {
        let worker = line {
            $0.contractedHours = 20
            $0.avgActualHours12w = 24
        }
        let defaults = try criteria()
        let rule = RuleCase().with { $0.figures = ReturnFigures(lines: [worker], criteria: defaults) }
        let finding = try #require(try rule.findings("hours.reflect-actual").first)
        #expect(finding.severity == .breach)
        #expect(finding.evidence.workerRefs == ["W1"])
        // A pledge tightening the margin to 3 hours flags a gap of 3.
        let overrides = PledgeOverrides(["hours.reflect-actual": ["margin_hours": .number(3)]])
        var near = worker
        near.avgActualHours12w = 23
        #expect(try rule.with { $0.figures = ReturnFigures(lines: [near], criteria: defaults) }.findings() == [])
        let tightenedCriteria = try criteria(overrides: overrides)
        let tightened = rule.with {
            $0.overrides = overrides
            $0.figures = ReturnFigures(lines: [near], criteria: tightenedCriteria)
        }
        #expect(try tightened.severity("hours.reflect-actual") == .breach)
    }
}
