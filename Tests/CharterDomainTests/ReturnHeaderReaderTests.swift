import CharterDomain
import Foundation
import Testing

/// The header example of SPEC §3.
let specHeader = """
    {
      "period": "2026-Q3",
      "headcount": 412,
      "attestations": {
        "hs_policy_reviewed_on": "2026-02-01",
        "equality_audit_on": "2025-11-15",
        "union_right_notice_on": "2026-01-10",
        "recognition_agreement": true,
        "union_requests": [{"received_on": "2026-08-01", "replied_on": "2026-08-06"}],
        "sick_pay_waiting_days": 0,
        "flexible_working_day_one": true,
        "apprentices": 3,
        "work_placements": 2,
        "rlw_plan_target": null
      },
      "contractors": [
        {"supplier": "Brightclean Ltd", "service": "cleaning", "workers": 12, "hours_per_day": 3,
         "consecutive_weeks": 52, "rlw_paid": false, "milestone": "2027-04-01"}
      ]
    }
    """

func readHeader(_ json: String) -> (ReturnHeader?, ValidationReport) {
    var report = ValidationReport()
    let header = ReturnHeaderReader.read(json: Data(json.utf8), report: &report)
    return (header, report)
}

/// The SPEC example with one JSON fragment replaced.
func specHeader(replacing old: String, with new: String) -> String {
    precondition(specHeader.contains(old), "fixture has no \(old)")
    return specHeader.replacingOccurrences(of: old, with: new)
}

@Suite("Return header")
struct ReturnHeaderReaderTests {
    @Test func theSpecExampleIsReadWhole() throws {
        let (header, report) = readHeader(specHeader)
        #expect(report.isAccepted, "\(report.errors)")
        let h = try #require(header)
        #expect(h.period == ReportingPeriod("2026-Q3"))
        #expect(h.headcount == 412)
        #expect(h.attestations.sickPayWaitingDays == 0)
        #expect(h.attestations.recognitionAgreement == true)
        #expect(
            h.attestations.unionRequests == [UnionRequest(receivedOn: day("2026-08-01"), repliedOn: day("2026-08-06"))])
        #expect(h.attestations.rlwPlanTarget == nil)
        #expect(h.contractors.first?.supplier == "Brightclean Ltd")
        #expect(h.contractors.first?.rlwPaid == false)
        // The null plan target is the one missing attestation.
        #expect(report.warnings.map(\.column) == ["attestations.rlw_plan_target"])
    }

    @Test func blankAttestationsAreMissingNeverZeroOrFalse() throws {
        let json = specHeader(replacing: "\"sick_pay_waiting_days\": 0", with: "\"sick_pay_waiting_days\": \"\"")
            .replacingOccurrences(of: "\"flexible_working_day_one\": true,", with: "")
        let (header, report) = readHeader(json)
        let h = try #require(header)
        #expect(h.attestations.sickPayWaitingDays == nil)
        #expect(h.attestations.flexibleWorkingDayOne == nil)
        #expect(report.isAccepted)
        let missing = Set(report.warnings.compactMap(\.column))
        #expect(
            missing.isSuperset(of: ["attestations.sick_pay_waiting_days", "attestations.flexible_working_day_one"]))
    }

    /// The SPEC's own example leaves `rlw_plan_target` null: the clerk is told when that counts, not that the
    /// return is incomplete (SPEC §3: a blank attestation nothing applicable uses is not missing data).
    @Test func aConditionalAttestationLeftBlankSaysWhenItCounts() throws {
        let json = specHeader(replacing: "\"recognition_agreement\": true", with: "\"recognition_agreement\": null")
        let (_, report) = readHeader(json)
        let sentences = Dictionary(
            report.warnings.compactMap { warning in warning.column.map { ($0, warning.message) } },
            uniquingKeysWith: { first, _ in first })
        #expect(
            sentences["attestations.rlw_plan_target"]
                == "rlw_plan_target is blank; it counts as missing only for an aspiring employer that pays someone"
                + " below the Real Living Wage")
        #expect(
            sentences["attestations.recognition_agreement"]
                == "recognition_agreement is blank; it counts as missing only for an employer accredited to the charter"
        )
        #expect(!report.warnings.contains { $0.message.contains("the return is incomplete") })
    }

    @Test func everyErrorNamesItsField() {
        let cases: [(String, String, String, String)] = [
            ("\"period\": \"2026-Q3\"", "\"period\": \"Q3 2026\"", "period", "2026-Q3"),
            ("\"headcount\": 412", "\"headcount\": -4", "headcount", "whole number"),
            ("\"headcount\": 412", "\"headcount\": 41.5", "headcount", "whole number"),
            // On Linux a JSON true also passes `is Bool` checks for 1; it must not count as a number.
            ("\"headcount\": 412", "\"headcount\": true", "headcount", "whole number"),
            (
                "\"equality_audit_on\": \"2025-11-15\"", "\"equality_audit_on\": \"15/11/2025\"",
                "attestations.equality_audit_on", "YYYY-MM-DD"
            ),
            (
                "\"sick_pay_waiting_days\": 0", "\"sick_pay_waiting_days\": \"three\"",
                "attestations.sick_pay_waiting_days", "whole number"
            ),
            (
                "\"recognition_agreement\": true", "\"recognition_agreement\": \"maybe\"",
                "attestations.recognition_agreement", "true or false"
            ),
            (
                "\"replied_on\": \"2026-08-06\"", "\"replied_on\": \"2026-07-30\"",
                "attestations.union_requests[1].replied_on", "before received_on"
            ),
            (
                "\"apprentices\": 3", "\"apprentices\": 3, \"pension\": true", "attestations.pension",
                "not an attestation"
            ),
            ("\"supplier\": \"Brightclean Ltd\"", "\"supplier\": \"\"", "contractors[1].supplier", "missing"),
            ("\"hours_per_day\": 3", "\"hours_per_day\": 25", "contractors[1].hours_per_day", "0 to 24"),
            ("\"rlw_paid\": false", "\"rlw_paid\": null", "contractors[1].rlw_paid", "missing"),
            ("\"headcount\": 412", "\"headcount\": 412, \"ceo\": \"x\"", "ceo", "not a field"),
        ]
        for (old, new, column, words) in cases {
            let (header, report) = readHeader(specHeader(replacing: old, with: new))
            #expect(header == nil, "\(new)")
            let issue = report.errors.first { $0.column == column }
            #expect(issue?.message.contains(words) == true, "\(new): \(report.errors)")
        }
    }

    @Test func notJSONIsOneClearError() {
        let (header, report) = readHeader("period=2026-Q3")
        #expect(header == nil)
        #expect(report.errors.count == 1)
        #expect(report.errors.first?.message.contains("not valid JSON: line 1, column 1:") == true)
    }

    @Test func aHeaderIsStoredAndReadBackUnderSpecNamesByPlainCoders() throws {
        let (read, _) = readHeader(specHeader)
        let header = try #require(read)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let stored = try encoder.encode(header)
        #expect(try JSONDecoder().decode(ReturnHeader.self, from: stored) == header)
        // The names a payroll system sends are the names stored: SPEC §3's, every one of them.
        let object = try #require(try JSONSerialization.jsonObject(with: stored) as? [String: Any])
        let attestations = try #require(object["attestations"] as? [String: Any])
        #expect(Set(attestations.keys).isSubset(of: Attestations.names))
        #expect(attestations["sick_pay_waiting_days"] as? Int == 0)
        #expect((attestations["union_requests"] as? [[String: Any]])?.first?["replied_on"] as? String == "2026-08-06")
        let contractor = try #require((object["contractors"] as? [[String: Any]])?.first)
        #expect(
            Set(contractor.keys) == [
                "supplier", "service", "workers", "hours_per_day", "consecutive_weeks", "rlw_paid", "milestone",
            ])
        #expect(Attestations.names.count == 10)
    }
}
