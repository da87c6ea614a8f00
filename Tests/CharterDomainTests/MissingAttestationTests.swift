import CharterDomain
import Foundation
import Testing

/// SPEC §3: a blank attestation is missing data — a `gov.data-quality` warning — only where a standard that
/// applies to the employer needs it. The warnings come from the header reader, as they do for a stored
/// return, so the rule sees exactly what a submission records.
@Suite("Compliance rules: missing attestations")
struct MissingAttestationTests {
    /// The case with the attestation `name` left out of the header, and the reader's warnings as the
    /// plausibility warnings recorded with it.
    func blank(_ name: String, _ rule: RuleCase) throws -> RuleCase {
        var rule = rule
        var json = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(rule.header)) as? [String: Any])
        var attestations = json["attestations"] as? [String: Any] ?? [:]
        attestations[name] = nil
        json["attestations"] = attestations
        var report = ValidationReport()
        let header = ReturnHeaderReader.read(
            json: try JSONSerialization.data(withJSONObject: json), report: &report)
        rule.header = try #require(header)
        rule.warnings = report.warnings
        return rule
    }

    /// The attestations a data-quality finding of `rule` calls missing; empty when there is no finding.
    func missing(_ rule: RuleCase) throws -> [String] {
        try rule.findings("gov.data-quality").flatMap { $0.evidence.warnings ?? [] }.compactMap(\.column)
    }

    static let belowRLW = ReturnFigures(directWorkers: 100, belowRealLivingWage: workers(2, lowestRate: "12.00"))

    @Test func aBlankPlanTargetIsNotMissingWhereNoPlanIsAskedFor() throws {
        // Accredited: pay.rlw-plan is off, so nothing reads the target — the reported noise.
        let accredited = try blank("rlw_plan_target", RuleCase(.accredited).with { $0.figures = Self.belowRLW })
        #expect(accredited.header.attestations.rlwPlanTarget == nil)
        #expect(accredited.warnings.map(\.column) == ["attestations.rlw_plan_target"])
        #expect(try accredited.findings("gov.data-quality").isEmpty)
        // Aspiring with everyone at or above the rate: no plan is needed.
        #expect(try blank("rlw_plan_target", RuleCase(.aspiring)).findings("gov.data-quality").isEmpty)
    }

    @Test func aBlankPlanTargetIsMissingWhileSomeoneIsBelowTheRealLivingWage() throws {
        let rule = try blank("rlw_plan_target", RuleCase(.aspiring).with { $0.figures = Self.belowRLW })
        let finding = try #require(try rule.findings("gov.data-quality").first)
        #expect(finding.severity == .info)
        #expect(finding.evidence.warnings?.map(\.column) == ["attestations.rlw_plan_target"])
        // The plan rule itself still judges the missing target.
        #expect(try rule.severity("pay.rlw-plan") == .breach)
    }

    @Test func aBlankRecognitionAgreementIsMissingAtTheAccreditedTierOnly() throws {
        #expect(try missing(blank("recognition_agreement", RuleCase(.aspiring))).isEmpty)
        #expect(
            try missing(blank("recognition_agreement", RuleCase(.accredited))) == ["attestations.recognition_agreement"]
        )
        // A charter version that does not ask accredited employers for one does not need it either.
        var lenient = RuleCase(.accredited)
        lenient.version.standards = lenient.version.standards.map { standard in
            var standard = standard
            if standard.id == "just.union-access" {
                standard.defaults = StandardDefaults(parameters: [
                    "interval_months": .number(12), "accredited_requires_recognition": .flag(false),
                ])
            }
            return standard
        }
        #expect(try missing(blank("recognition_agreement", lenient)).isEmpty)
    }

    @Test func anAttestationOfAStandardThatIsOffAtTheTierIsNotMissing() throws {
        let off = RuleCase(.accredited).with {
            $0.version = CharterFixture.version("inclusive.equality-audit", aspiring: .warning, accredited: .off)
        }
        #expect(try missing(blank("equality_audit_on", off)).isEmpty)
        #expect(try missing(blank("equality_audit_on", RuleCase(.accredited))) == ["attestations.equality_audit_on"])
        // Nor of a standard the charter version does not have.
        let without = RuleCase(.accredited).with {
            $0.version.standards.removeAll { $0.id == "health.sick-pay-day-one" }
        }
        #expect(try missing(blank("sick_pay_waiting_days", without)).isEmpty)
        #expect(
            try missing(blank("sick_pay_waiting_days", RuleCase(.accredited))) == ["attestations.sick_pay_waiting_days"]
        )
    }

    @Test func youngPeopleCountsAreMissingOnlyFromTheHeadcountTheStandardStartsAt() throws {
        let small = RuleCase(.aspiring).with { $0.header.headcount = 9 }
        #expect(try missing(blank("apprentices", small)).isEmpty)
        let atThreshold = RuleCase(.aspiring).with { $0.header.headcount = 10 }
        #expect(try missing(blank("apprentices", atThreshold)) == ["attestations.apprentices"])
    }

    @Test func otherPlausibilityWarningsStillRaiseTheFlagBesideAnUnneededBlank() throws {
        var rule = try blank("rlw_plan_target", RuleCase(.accredited))
        let headcount = ReturnIssue(
            .warning, column: "headcount", "the header's headcount is 100 but there are 80 lines")
        rule.warnings.append(headcount)
        let finding = try #require(try rule.findings("gov.data-quality").first)
        #expect(finding.evidence.warnings == [headcount])
    }
}
