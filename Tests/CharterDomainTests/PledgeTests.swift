import CharterDomain
import Foundation
import Testing

/// The standards' parameters of charter version 1, as migration 0004 inserts them.
let charterDefaults: [String: StandardDefaults] = {
    let params: [String: String] = [
        "pay.minimum-wage": "{}",
        "pay.real-living-wage": #"{"excluded_contract_types": ["apprentice", "intern", "volunteer"]}"#,
        "pay.rlw-uplift-upcoming": "{}",
        "pay.rlw-plan": #"{"plan_horizon_months": 24}"#,
        "pay.contractor-rlw": #"{"min_hours_per_day": 2, "min_consecutive_weeks": 8}"#,
        "hours.zero-hours-consent": "{}",
        "hours.zero-hours-share": #"{"threshold_percent": 5}"#,
        "hours.zero-hours-trend": #"{"rise_points": 2}"#,
        "hours.living-hours-minimum": #"{"min_hours": 16, "requires_commitment": "living_hours"}"#,
        "hours.reflect-actual": #"{"margin_hours": 4, "min_tenure_weeks": 12, "offer_lookback_months": 12}"#,
        "hours.review-overdue":
            #"{"first_review_days": 84, "review_interval_days": 183, "low_hours_threshold": 16}"#,
        "hours.shift-notice":
            #"{"notice_days": 28, "tolerance_percent": 5, "severity_accredited_with_living_hours": "breach"}"#,
        "hours.cancellation-pay": "{}",
        "hours.agency-parity": #"{"min_tenure_weeks": 12}"#,
        "health.sick-pay-day-one": "{}",
        "health.policy-review": #"{"interval_months": 12, "severity_aspiring_if_missing": "breach"}"#,
        "just.union-access": #"{"interval_months": 12, "accredited_requires_recognition": true}"#,
        "just.union-reply": #"{"reply_days": 10}"#,
        "just.young-people": #"{"min_headcount": 10, "lookback_periods": 4}"#,
        "inclusive.equality-audit": #"{"interval_months": 12}"#,
        "inclusive.flexible-day-one": "{}",
        "gov.return-late": "{}",
        "gov.return-missing": "{}",
        "gov.data-quality":
            #"{"headcount_tolerance_percent": 5, "blank_hours_percent": 20, "rate_outlier_factor": 100}"#,
    ]
    return params.mapValues { try! StandardDefaults(json: Data($0.utf8)) }
}()

/// For each numeric parameter a stricter and a looser value than the charter's, decided from
/// what the check of SPEC §4 flags (not from the table under test).
let numericCases: [(standard: String, parameter: String, tighter: Decimal, looser: Decimal)] = [
    ("pay.rlw-plan", "plan_horizon_months", 12, 36),  // the plan must arrive sooner
    ("pay.contractor-rlw", "min_hours_per_day", 1.5, 3),  // shorter contracts in scope
    ("pay.contractor-rlw", "min_consecutive_weeks", 4, 12),
    ("hours.zero-hours-share", "threshold_percent", 3, 8),
    ("hours.zero-hours-trend", "rise_points", 1, 3),
    ("hours.living-hours-minimum", "min_hours", 20, 12),  // more guaranteed hours
    ("hours.reflect-actual", "margin_hours", 2, 6),
    ("hours.reflect-actual", "min_tenure_weeks", 8, 16),  // applies sooner
    ("hours.reflect-actual", "offer_lookback_months", 6, 18),  // the offer must be more recent
    ("hours.review-overdue", "first_review_days", 56, 120),
    ("hours.review-overdue", "review_interval_days", 90, 365),
    ("hours.review-overdue", "low_hours_threshold", 20, 10),  // more workers need reviews
    ("hours.shift-notice", "notice_days", 35, 14),  // more notice required
    ("hours.shift-notice", "tolerance_percent", 2, 10),
    ("hours.agency-parity", "min_tenure_weeks", 6, 20),
    ("health.policy-review", "interval_months", 6, 24),
    ("just.union-access", "interval_months", 6, 18),
    ("just.union-reply", "reply_days", 5, 14),
    ("just.young-people", "min_headcount", 5, 50),  // smaller employers in scope
    ("just.young-people", "lookback_periods", 2, 8),  // an opportunity must be more recent
    ("inclusive.equality-audit", "interval_months", 6, 24),
    ("gov.data-quality", "headcount_tolerance_percent", 2, 10),
    ("gov.data-quality", "blank_hours_percent", 10, 30),
    ("gov.data-quality", "rate_outlier_factor", 50, 200),
]

private func overrides(_ standard: String, _ parameter: String, _ value: ParameterValue) -> PledgeOverrides {
    PledgeOverrides([standard: [parameter: value]])
}

private func overrides(json: String) throws -> PledgeOverrides {
    try PledgeOverrides(json: Data(json.utf8))
}

private func date(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

@Suite("Pledges and their overrides")
struct PledgeTests {
    @Test(arguments: numericCases.indices)
    func aTighterValueIsAcceptedAndALooserOneRefused(index: Int) throws {
        let (standard, parameter, tighter, looser) = numericCases[index]
        let charterValue = try #require(charterDefaults[standard]?.parameters[parameter]?.number)
        #expect(overrides(standard, parameter, .number(tighter)).problems(against: charterDefaults).isEmpty)
        #expect(overrides(standard, parameter, .number(charterValue)).problems(against: charterDefaults).isEmpty)

        let problems = overrides(standard, parameter, .number(looser)).problems(against: charterDefaults)
        #expect(problems.map(\.kind) == [.loosens])
        #expect(problems.first?.standardID == standard)
        #expect(problems.first?.parameter == parameter)
        let message = try #require(problems.first?.message)
        #expect(message.hasPrefix("\(standard) \(parameter) \(looser) would loosen the standard"))
        #expect(message.contains("(the charter's value is \(charterValue))"))
        #expect(message.contains("overrides may only tighten"))
    }

    @Test func everyNumericParameterOfTheCharterHasATestedDirection() {
        let tested = Set(numericCases.map { "\($0.standard) \($0.parameter)" })
        var numeric: Set<String> = []
        for (standard, defaults) in charterDefaults {
            for (name, value) in defaults.parameters where value.number != nil { numeric.insert("\(standard) \(name)") }
        }
        #expect(tested == numeric)
        let table = Set(StandardParameter.all.filter { $0.tightening != .subset }.map { "\($0.standardID) \($0.name)" })
        #expect(table == numeric)
    }

    @Test func theLooseningMessageReadsAsASentence() {
        let problems = overrides("hours.zero-hours-share", "threshold_percent", .number(8))
            .problems(against: charterDefaults)
        #expect(
            problems.map(\.message) == [
                "hours.zero-hours-share threshold_percent 8 would loosen the standard (the charter's value is 5);"
                    + " overrides may only tighten, and lower is stricter here because a smaller share of"
                    + " zero-hours workers is flagged"
            ])
    }

    @Test func fractionsCompareExactly() throws {
        let accepted = try overrides(json: #"{"hours.zero-hours-share": {"threshold_percent": 4.9}}"#)
        #expect(accepted.problems(against: charterDefaults).isEmpty)
        let refused = try overrides(json: #"{"hours.zero-hours-share": {"threshold_percent": 5.1}}"#)
        #expect(refused.problems(against: charterDefaults).map(\.kind) == [.loosens])
        #expect(accepted.values["hours.zero-hours-share"]?["threshold_percent"] == .number(Decimal(string: "4.9")!))
    }

    @Test func anUnknownStandardIsRefused() {
        let problems = overrides("hours.four-day-week", "days", .number(4)).problems(against: charterDefaults)
        #expect(problems.map(\.kind) == [.unknownStandard])
        #expect(
            problems.first?.message
                == "hours.four-day-week is not a standard of this charter version, so it cannot be overridden")
    }

    @Test func anUnknownParameterIsRefused() {
        let problems = overrides("hours.zero-hours-share", "threshold", .number(3)).problems(against: charterDefaults)
        #expect(problems.map(\.kind) == [.unknownParameter])
        #expect(
            problems.first?.message == "hours.zero-hours-share has no parameter threshold, so it cannot be overridden")
    }

    @Test(arguments: [ParameterValue.text("3"), .flag(true), .list(["3"])])
    func aValueThatIsNotANumberIsRefused(value: ParameterValue) {
        let problems = overrides("hours.zero-hours-share", "threshold_percent", value)
            .problems(against: charterDefaults)
        #expect(problems.map(\.kind) == [.wrongKind])
        #expect(problems.first?.message == "hours.zero-hours-share threshold_percent must be a number, not \(value)")
    }

    @Test(arguments: [
        ("hours.living-hours-minimum", "requires_commitment", ParameterValue.text("none")),
        ("hours.shift-notice", "severity_accredited_with_living_hours", .text("critical")),
        ("health.policy-review", "severity_aspiring_if_missing", .text("critical")),
        ("just.union-access", "accredited_requires_recognition", .flag(true)),
    ])
    func textAndYesNoSettingsCannotBeOverridden(standard: String, parameter: String, value: ParameterValue) {
        let problems = overrides(standard, parameter, value).problems(against: charterDefaults)
        #expect(problems.map(\.kind) == [.notOverridable])
        #expect(problems.first?.message.hasPrefix("\(standard) \(parameter) cannot be overridden") == true)
    }

    @Test(arguments: [
        ("hours.zero-hours-share", "threshold_percent", Decimal(-1)),
        ("hours.living-hours-minimum", "min_hours", 101),
        ("hours.zero-hours-trend", "rise_points", 0),
        ("just.young-people", "lookback_periods", 0),
        ("hours.review-overdue", "review_interval_days", 30.5),
        ("just.union-reply", "reply_days", 2.5),
    ])
    func aValueStricterThanMakesSenseIsRefused(standard: String, parameter: String, value: Decimal) {
        let problems = overrides(standard, parameter, .number(value)).problems(against: charterDefaults)
        #expect(problems.map(\.kind) == [.outOfRange])
    }

    @Test func excludingFewerContractTypesIsAccepted() {
        for subset in [["apprentice", "intern"], ["volunteer"], []] {
            let value = overrides("pay.real-living-wage", "excluded_contract_types", .list(subset))
            #expect(value.problems(against: charterDefaults).isEmpty, "\(subset)")
        }
    }

    @Test func excludingMoreContractTypesIsRefused() {
        let problems = overrides(
            "pay.real-living-wage", "excluded_contract_types", .list(["apprentice", "intern", "volunteer", "casual"])
        ).problems(against: charterDefaults)
        #expect(problems.map(\.kind) == [.loosens])
        #expect(
            problems.first?.message.hasPrefix(
                "pay.real-living-wage excluded_contract_types would loosen the standard by also excluding casual"
                    + " (the charter excludes apprentice, intern, volunteer)") == true)
    }

    @Test func anUnknownContractTypeOrANumberIsNotAnExclusionList() {
        let unknown = overrides("pay.real-living-wage", "excluded_contract_types", .list(["trainee"]))
        #expect(unknown.problems(against: charterDefaults).map(\.kind) == [.wrongKind])
        #expect(unknown.problems(against: charterDefaults).first?.message.contains("\"trainee\" is not") == true)
        let number = overrides("pay.real-living-wage", "excluded_contract_types", .number(1))
        #expect(number.problems(against: charterDefaults).map(\.kind) == [.wrongKind])
    }

    @Test func everyProblemIsListedInStandardOrder() throws {
        let value = try overrides(
            json: """
                {"hours.zero-hours-share": {"threshold_percent": 8},
                 "hours.reflect-actual": {"margin_hours": 6, "min_tenure_weeks": 4},
                 "just.union-reply": {"reply_days": 20}}
                """)
        let problems = value.problems(against: charterDefaults)
        #expect(problems.map(\.standardID) == ["hours.reflect-actual", "hours.zero-hours-share", "just.union-reply"])
        #expect(problems.map(\.parameter) == ["margin_hours", "threshold_percent", "reply_days"])
    }

    @Test func checkThrowsOverrideLoosensWithEverySentence() throws {
        let value = try overrides(
            json: #"{"hours.zero-hours-share": {"threshold_percent": 8}, "just.union-reply": {"reply_days": 20}}"#)
        let error = #expect(throws: CharterDomainError.self) { try value.check(against: charterDefaults) }
        #expect(error?.code == .overrideLoosens)
        #expect(error?.message.contains("threshold_percent 8 would loosen") == true)
        #expect(error?.message.contains("reply_days 20 would loosen") == true)

        let mixed = try overrides(
            json: #"{"hours.zero-hours-share": {"threshold_percent": 8}, "nope.nope": {"x": 1}}"#)
        let mixedError = #expect(throws: CharterDomainError.self) { try mixed.check(against: charterDefaults) }
        #expect(mixedError?.code == .invalidOverride)

        let fine = try overrides(json: #"{"hours.zero-hours-share": {"threshold_percent": 3}}"#)
        #expect(throws: Never.self) { try fine.check(against: charterDefaults) }
    }

    @Test(arguments: [
        "[]", "3", "not json", #"{"hours.zero-hours-share": 3}"#,
        #"{"hours.zero-hours-share": {"threshold_percent": null}}"#,
        #"{"hours.zero-hours-share": {"threshold_percent": {"value": 3}}}"#,
    ])
    func malformedOverridesJSONIsRefused(json: String) {
        let error = #expect(throws: CharterDomainError.self) { try overrides(json: json) }
        #expect(error?.code == .invalidOverride)
    }

    @Test func overridesRoundTripThroughJSON() throws {
        let value = try overrides(
            json: """
                {"pay.contractor-rlw": {"min_hours_per_day": 1.5},
                 "pay.real-living-wage": {"excluded_contract_types": ["apprentice"]},
                 "hours.shift-notice": {}}
                """)
        #expect(value.values.keys.sorted() == ["pay.contractor-rlw", "pay.real-living-wage"])
        #expect(try PledgeOverrides(json: value.jsonData) == value)
        #expect(
            String(decoding: value.jsonData, as: UTF8.self)
                == #"{"pay.contractor-rlw":{"min_hours_per_day":1.5},"#
                + #""pay.real-living-wage":{"excluded_contract_types":["apprentice"]}}"#)
        #expect(String(decoding: PledgeOverrides().jsonData, as: UTF8.self) == "{}")
    }

    @Test func effectiveParametersAreTheDefaultsWithTheOverridesOnTop() throws {
        let pledge = try Pledge(
            employerID: 1, charterVersionID: 1, tier: .accredited,
            overrides: overrides("hours.reflect-actual", "margin_hours", .number(2)), validFrom: date("2026-01-01"))
        #expect(
            pledge.effectiveParameters(of: "hours.reflect-actual", in: charterDefaults) == [
                "margin_hours": .number(2), "min_tenure_weeks": .number(12), "offer_lookback_months": .number(12),
            ])
        #expect(
            pledge.effectiveParameters(of: "hours.zero-hours-share", in: charterDefaults) == [
                "threshold_percent": .number(5)
            ])
        #expect(pledge.effectiveParameters(of: "hours.four-day-week", in: charterDefaults) == nil)
    }

    @Test(arguments: ["2026-01-01", "2025-12-31"])
    func aPledgeMustEndAfterItStarts(validTo: String) {
        let error = #expect(throws: CharterDomainError.self) {
            try Pledge(
                employerID: 1, charterVersionID: 1, tier: .aspiring, validFrom: date("2026-01-01"),
                validTo: date(validTo))
        }
        #expect(error?.code == .invalidPledge)
        #expect(error?.message == "a pledge must end after it starts; it starts on 2026-01-01 and ends on \(validTo)")
    }

    @Test func aPledgeIsInForceFromItsFirstDayUpToButNotIncludingItsEnd() throws {
        let pledge = try Pledge(
            employerID: 7, charterVersionID: 1, tier: .aspiring, livingHours: true, validFrom: date("2026-01-01"),
            validTo: date("2026-04-01"))
        #expect(!pledge.isInForce(on: date("2025-12-31")))
        #expect(pledge.isInForce(on: date("2026-01-01")))
        #expect(pledge.isInForce(on: date("2026-03-31")))
        #expect(!pledge.isInForce(on: date("2026-04-01")))
        let openEnded = try Pledge(employerID: 7, charterVersionID: 1, tier: .accredited, validFrom: date("2026-04-01"))
        #expect(openEnded.isInForce(on: date("2099-01-01")))
    }

    @Test func aPledgeChecksItsOverridesAgainstItsCharterVersion() throws {
        let pledge = try Pledge(
            employerID: 1, charterVersionID: 1, tier: .accredited,
            overrides: overrides("hours.living-hours-minimum", "min_hours", .number(12)), validFrom: date("2026-01-01"))
        let error = #expect(throws: CharterDomainError.self) { try pledge.check(against: charterDefaults) }
        #expect(error?.code == .overrideLoosens)
    }

    @Test func tiersAndSeveritiesUseTheSpecStrings() {
        #expect(Tier.allCases.map(\.rawValue) == ["aspiring", "accredited"])
        #expect(Severity(rawValue: "breach") == .breach)
        #expect(Severity.critical > .breach && Severity.breach > .warning && Severity.warning > .info)
        #expect(Severity.info > .off)
        #expect([Severity.warning, .critical, .off].max() == .critical)
    }

    @Test func standardParametersReadFromJSONKeepTheirKinds() throws {
        let defaults = try StandardDefaults(
            json: Data(#"{"a": 5, "b": 0.1, "c": "x", "d": true, "e": ["p", "q"]}"#.utf8))
        #expect(
            defaults.parameters == [
                "a": .number(5), "b": .number(Decimal(string: "0.1")!), "c": .text("x"), "d": .flag(true),
                "e": .list(["p", "q"]),
            ])
        #expect(throws: CharterDomainError.self) { try StandardDefaults(json: Data("[1]".utf8)) }
    }
}

/// A parameter of 0 or 1 is a number, not a truth value: on Linux every NSNumber of 0 or 1 bridges to Bool,
/// which once made a threshold of 1 read as `true` (and then refused as "must stay a number").
@Suite("Parameter values read from JSON")
struct ParameterValueJSONTests {
    @Test func zeroAndOneAreNumbersAndTrueAndFalseAreFlags() throws {
        let overrides = try PledgeOverrides(
            json: Data(#"{"s.x": {"one": 1, "zero": 0, "yes": true, "no": false, "half": 0.5}}"#.utf8))
        let values = try #require(overrides.values["s.x"])
        #expect(values["one"] == .number(1))
        #expect(values["zero"] == .number(0))
        #expect(values["yes"] == .flag(true))
        #expect(values["no"] == .flag(false))
        #expect(values["half"] == .number(Decimal(string: "0.5")!))
    }
}
