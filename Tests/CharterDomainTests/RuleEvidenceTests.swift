import CharterDomain
import Foundation
import Testing

/// What a finding's evidence carries, what reps see of it, and its JSON.
@Suite("Rule evidence")
struct RuleEvidenceTests {
    func rlwFinding(workers count: Int) throws -> Finding {
        let rule = RuleCase().with {
            $0.figures.belowRealLivingWage = workers(count, lowestRate: "12.80", shortfall: "0.65")
        }
        return try #require(try rule.findings("pay.real-living-wage").first)
    }

    @Test func evidenceCarriesTheCharterVersionParametersAndReturnVersion() throws {
        let rule = RuleCase().with {
            $0.figures.directWorkers = 100
            $0.figures.directZeroHours = 4
            $0.overrides = PledgeOverrides(["hours.zero-hours-share": ["threshold_percent": .number(3)]])
        }
        let evidence = try #require(try rule.findings("hours.zero-hours-share").first).evidence
        #expect(evidence.charterVersionID == 1)
        #expect(evidence.charterVersionLabel == "Fair Employment Charter 2026")
        #expect(evidence.parameters == ["threshold_percent": .number(3)])  // the override, not the default 5
        #expect(evidence.returnVersionID == 42)
        #expect(evidence.returnVersionNumber == 2)
        #expect(evidence.period == ReportingPeriod("2026-Q3"))
        #expect(evidence.sharePercent == 4)
    }

    @Test(arguments: 1...4)
    func repsSeeOneToFourWorkersAsFewerThanFiveWithoutRefs(count: Int) throws {
        let employer = try rlwFinding(workers: count).evidence
        #expect(employer.workers == .exact(count))
        #expect(employer.workerRefs?.count == count)
        let reps = employer.forReps()
        #expect(reps.workers == .fewerThanFive)
        #expect(reps.workerRefs == nil)
        // With a few workers the lowest rate is one of theirs, and the shortfall gives it away too.
        #expect(reps.lowestRate == nil)
        #expect(reps.largestShortfallPerHour == nil)
        #expect(reps.rateInForce == money("13.45"))
        let json = String(decoding: reps.jsonData(), as: UTF8.self)
        #expect(json.contains(#""workers":"fewer than 5""#))
        #expect(!json.contains("worker_refs"))
        #expect(!json.contains("W001"))
        #expect(!json.contains("12.8") && !json.contains("0.65"))
        #expect(!reps.reportLines.contains { $0.hasPrefix("Lowest hourly rate") })
    }

    @Test func repsSeeFiveWorkersCountedButStillNotNamed() throws {
        let reps = try rlwFinding(workers: 5).evidence.forReps()
        #expect(reps.workers == .exact(5))
        #expect(reps.workerRefs == nil)
        // Among five or more, the lowest rate and largest shortfall are no one's in particular.
        #expect(reps.lowestRate == money("12.80"))
        #expect(reps.largestShortfallPerHour == money("0.65"))
        #expect(WorkerCount.exact(0).suppressed == .exact(0))
    }

    @Test func repsSeePlausibilityWarningsWithoutLineNumbers() throws {
        let warnings = [
            ReturnIssue(.warning, line: 4, column: "start_date", "start_date 2026-10-02 is after the snapshot date"),
            ReturnIssue(.warning, line: 9, column: "start_date", "start_date 2026-10-05 is after the snapshot date"),
            ReturnIssue(
                .warning, column: "hourly_rate",
                "1 hourly rate is 100 times the median or more (lines 7); were pence entered as pounds?"),
            ReturnIssue(
                .warning, column: "headcount", "the header's headcount is 3 but the return has 40 worker lines"),
            ReturnIssue(
                .warning, column: "attestations.equality_audit_on",
                "the attestation equality_audit_on is missing; the return is incomplete"),
        ]
        let finding = try #require(try RuleCase().with { $0.warnings = warnings }.findings("gov.data-quality").first)
        #expect(finding.evidence.warnings == warnings)
        let reps = try #require(finding.evidence.forReps().warnings)
        #expect(reps.allSatisfy { $0.line == nil })
        #expect(reps.map(\.column) == ["hourly_rate", "headcount", "attestations.equality_audit_on", "start_date"])
        #expect(
            reps.last?.message
                == "fewer than 5 worker lines have a plausibility warning on start_date; the employer can see which")
        let text = reps.map(\.description).joined(separator: "\n")
        for detail in ["2026-10", "lines 7", "line 4", "headcount is 3"] { #expect(!text.contains(detail)) }
        // The missing attestation is about the employer, not a worker: it stays as it was.
        #expect(reps[2] == warnings[4])
    }

    @Test func smallDenominatorsAndHeadcountsAreSuppressedToo() throws {
        let share = try #require(
            try RuleCase().with {
                $0.figures.directWorkers = 4
                $0.figures.directZeroHours = 1
            }.findings("hours.zero-hours-share").first
        ).evidence.forReps()
        #expect(share.workers == .fewerThanFive)
        #expect(share.directWorkers == .fewerThanFive)
        #expect(share.sharePercent == 25)
    }

    @Test func aContractorsSmallStaffIsSuppressedForReps() throws {
        let finding = try #require(
            try RuleCase().with {
                $0.header.contractors = [
                    Contractor(
                        supplier: "Tiny Ltd", service: "security", workers: 3, hoursPerDay: 2.1, consecutiveWeeks: 8,
                        rlwPaid: false, milestone: nil)
                ]
            }.findings("pay.contractor-rlw").first)
        #expect(finding.subject == "Tiny Ltd")
        #expect(finding.evidence.contracts?.first?.workers == .exact(3))
        #expect(finding.evidence.contracts?.first?.hoursPerDay == money("2.1"))
        #expect(finding.evidence.forReps().contracts?.first?.workers == .fewerThanFive)
    }

    @Test func theJSONIsStableReadableAndReadsBack() throws {
        let evidence = try rlwFinding(workers: 2).evidence
        let json = String(decoding: evidence.jsonData(), as: UTF8.self)
        #expect(json == String(decoding: evidence.jsonData(), as: UTF8.self))
        #expect(
            json
                == #"{"charter_version_id":1,"charter_version_label":"Fair Employment Charter 2026","#
                + #""largest_shortfall_per_hour":0.65,"london_rate_in_force":14.8,"lowest_rate":12.8,"#
                + #""parameters":{"excluded_contract_types":["apprentice","intern","volunteer"]},"period":"2026-Q3","#
                + #""rate_deadline":"2026-05-01","rate_in_force":13.45,"rate_year":"2025-26","return_version_id":42,"#
                + #""return_version_number":2,"worker_refs":["W001","W002"],"workers":2}"#)
        #expect(try Evidence(json: evidence.jsonData()) == evidence)
        #expect(try Evidence(json: evidence.forReps().jsonData()) == evidence.forReps())
    }

    @Test func instantsAndMissingAttestationsReadClearly() throws {
        let late = try RuleCase().with {
            $0.firstReceivedAt = instant("2026-11-02T09:30:00Z")
            $0.header.attestations.flexibleWorkingDayOne = nil
        }.findings()
        #expect(late.map(\.standardID) == ["inclusive.flexible-day-one", "gov.return-late"])
        let json = late.map { String(decoding: $0.evidence.jsonData(), as: UTF8.self) }.joined(separator: "\n")
        #expect(json.contains(#""first_received_at":"2026-11-02T09:30:00Z""#))
        #expect(json.contains(#""attestations":[{"name":"flexible_working_day_one","value":null}]"#))
        for finding in late {
            #expect(try Evidence(json: finding.evidence.jsonData()) == finding.evidence)
        }
    }

    @Test func everyKindOfEvidenceReadsBackFromItsJSON() throws {
        let rule = RuleCase(.aspiring).with {
            $0.livingHours = true
            $0.figures = ReturnFigures(
                directWorkers: 10, directZeroHours: 3, belowMinimumWage: workers(1, lowestRate: "7.1234"),
                belowRealLivingWage: workers(2), zeroHoursWithoutConsent: workers(3), belowLivingHours: workers(4),
                hoursNotReflected: workers(5), reviewOverdue: workers(6), agencyWithoutParity: workers(7),
                shiftsScheduled: 10, shiftsShortNotice: 9, shiftsCancelledShortNotice: 3, shiftsCancelledPaid: 1)
            $0.previousZeroHoursShare = 10
            $0.header.contractors = [
                Contractor(
                    supplier: "Brightclean Ltd", service: "cleaning", workers: 12, hoursPerDay: 2.5,
                    consecutiveWeeks: 52, rlwPaid: false, milestone: nil)
            ]
            $0.header.attestations = Attestations()
            $0.header.attestations.sickPayWaitingDays = 3
            $0.header.attestations.apprentices = 0
            $0.header.attestations.unionRequests = [UnionRequest(receivedOn: day("2026-01-01"), repliedOn: nil)]
            $0.warnings = [ReturnIssue(.warning, line: 4, column: "start_date", "start_date is after the snapshot")]
            $0.firstReceivedAt = instant("2026-12-01T12:00:00Z")
        }
        let findings = try rule.findings()
        #expect(
            findings.map(\.standardID)
                == ComplianceRules.standardIDs.filter {
                    $0 != "pay.rlw-uplift-upcoming" && $0 != "gov.return-missing"
                })
        for finding in findings {
            let pretty = finding.evidence.jsonData(pretty: true)
            #expect(try Evidence(json: pretty) == finding.evidence, "\(finding.standardID)")
        }
        let contractor = try #require(findings.first { $0.standardID == "pay.contractor-rlw" })
        #expect(String(decoding: contractor.evidence.jsonData(), as: UTF8.self).contains(#""hours_per_day":2.5"#))
    }
}
