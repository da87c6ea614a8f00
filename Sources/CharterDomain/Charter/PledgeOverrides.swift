public import Foundation

/// A pledge's tightened standard parameters: `{"hours.zero-hours-share": {"threshold_percent": 3}}`.
///
/// SPEC §2 lets a pledge make a standard stricter than its charter version, never looser. The
/// overrides are only a request until `check(against:)` has compared them with the charter
/// version's defaults; the store checks before saving a pledge, so a saved pledge never loosens.
public struct PledgeOverrides: Sendable, Hashable {
    /// One reason an override cannot be accepted.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public enum Kind: Sendable, Hashable {
            /// The charter version has no standard of that id.
            case unknownStandard
            /// The standard has no parameter of that name.
            case unknownParameter
            /// The parameter shapes the standard rather than its strictness (text, true/false).
            case notOverridable
            /// Not a number (or, for a list parameter, not a list of known contract types).
            case wrongKind
            /// A number outside the range that makes sense for the check, or not whole where it must be.
            case outOfRange
            /// The value would make the standard less strict than the charter's.
            case loosens
        }

        public var kind: Kind
        public var standardID: String
        public var parameter: String?
        /// A sentence naming the standard and parameter and saying what is wrong.
        public var message: String

        public var description: String { message }
    }

    /// Parameter values by standard id, then parameter name.
    public private(set) var values: [String: [String: ParameterValue]]

    public init(_ values: [String: [String: ParameterValue]] = [:]) {
        self.values = values.filter { !$0.value.isEmpty }
    }

    /// Reads the JSON object of the `pledges.overrides` column or an admin's form.
    ///
    /// Only the shape is checked here; whether the values tighten is `check(against:)`'s job.
    public init(json: Data) throws(CharterDomainError) {
        let example = #"e.g. {"hours.zero-hours-share": {"threshold_percent": 3}}"#
        guard let object = try? JSONSerialization.jsonObject(with: json), let standards = object as? [String: Any]
        else {
            throw CharterDomainError(
                .invalidOverride, "overrides must be a JSON object of standards and their parameters, \(example)")
        }
        var values: [String: [String: ParameterValue]] = [:]
        for (standardID, rawParameters) in standards {
            guard let parameters = rawParameters as? [String: Any] else {
                throw CharterDomainError(
                    .invalidOverride, "the overrides of \(standardID) must be an object of parameters, \(example)")
            }
            for (name, raw) in parameters {
                guard let value = ParameterValue(json: raw) else {
                    throw CharterDomainError(
                        .invalidOverride, "\(standardID) \(name) must be a number (or, for a list, a list of text)")
                }
                values[standardID, default: [:]][name] = value
            }
        }
        self.init(values)
    }

    public var isEmpty: Bool { values.isEmpty }

    /// The overrides as compact JSON with sorted keys, for the `pledges.overrides` column.
    public var jsonData: Data {
        let object = values.mapValues { $0.mapValues(\.jsonObject) }
        // Only strings, Bools, NSDecimalNumbers and string arrays are in it, which always serialise.
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    }

    /// Every reason the overrides cannot be accepted for a charter version whose standards have
    /// `defaults` (keyed by standard id); empty when they only tighten. Sorted by standard and parameter.
    public func problems(against defaults: [String: StandardDefaults]) -> [Problem] {
        var problems: [Problem] = []
        for standardID in values.keys.sorted() {
            guard let standard = defaults[standardID] else {
                problems.append(
                    Problem(
                        kind: .unknownStandard, standardID: standardID, parameter: nil,
                        message: "\(standardID) is not a standard of this charter version, so it cannot be overridden"))
                continue
            }
            let parameters = values[standardID] ?? [:]
            for name in parameters.keys.sorted() {
                if let problem = Self.problem(standardID, name, parameters[name]!, standard.parameters[name]) {
                    problems.append(problem)
                }
            }
        }
        return problems
    }

    /// Throws unless the overrides only tighten the standards of `defaults`.
    ///
    /// The error's message lists every problem (one sentence each); its code is `.overrideLoosens`
    /// when loosening is all that is wrong, else `.invalidOverride`.
    public func check(against defaults: [String: StandardDefaults]) throws(CharterDomainError) {
        let problems = problems(against: defaults)
        guard !problems.isEmpty else { return }
        let code: CharterDomainError.Code =
            problems.allSatisfy { $0.kind == .loosens } ? .overrideLoosens : .invalidOverride
        throw CharterDomainError(code, problems.map(\.message).joined(separator: "; "))
    }

    /// The parameters a standard is evaluated with for this pledge: the defaults with the overrides on top.
    public func effectiveParameters(of standardID: String, defaults: StandardDefaults) -> [String: ParameterValue] {
        defaults.parameters.merging(values[standardID] ?? [:]) { _, override in override }
    }

    // MARK: - Checking one value

    private static func problem(
        _ standardID: String, _ name: String, _ value: ParameterValue, _ charterValue: ParameterValue?
    ) -> Problem? {
        func problem(_ kind: Problem.Kind, _ message: String) -> Problem {
            Problem(kind: kind, standardID: standardID, parameter: name, message: "\(standardID) \(message)")
        }
        guard let charterValue else {
            return problem(.unknownParameter, "has no parameter \(name), so it cannot be overridden")
        }
        guard let parameter = StandardParameter.overridable(name, of: standardID) else {
            return problem(
                .notOverridable,
                "\(name) cannot be overridden; a pledge may only tighten numeric thresholds and the excluded"
                    + " contract types")
        }
        switch parameter.tightening {
        case .subset:
            return listProblem(parameter, value, charterValue, problem)
        case .lower, .higher:
            guard case .number(let number) = value else {
                return problem(.wrongKind, "\(name) must be a number, not \(value)")
            }
            guard let charterNumber = charterValue.number else {
                return problem(.notOverridable, "\(name) cannot be overridden: the charter's value is not a number")
            }
            if let range = parameter.range, !range.contains(number) {
                return problem(
                    .outOfRange,
                    "\(name) \(number) is outside the sensible range \(range.lowerBound) to \(range.upperBound)")
            }
            if parameter.isWholeNumber && !number.isWhole {
                return problem(.outOfRange, "\(name) must be a whole number, not \(number)")
            }
            let loosens = parameter.tightening == .lower ? number > charterNumber : number < charterNumber
            if loosens {
                let stricter = parameter.tightening == .lower ? "lower" : "higher"
                return problem(
                    .loosens,
                    "\(name) \(number) would loosen the standard (the charter's value is \(charterNumber));"
                        + " overrides may only tighten, and \(stricter) is stricter here because \(parameter.reason)")
            }
            return nil
        }
    }

    private static func listProblem(
        _ parameter: StandardParameter, _ value: ParameterValue, _ charterValue: ParameterValue,
        _ problem: (Problem.Kind, String) -> Problem
    ) -> Problem? {
        let name = parameter.name
        let known = ContractType.allCases.map(\.rawValue)
        guard case .list(let items) = value else {
            return problem(.wrongKind, "\(name) must be a list of contract types, not \(value)")
        }
        guard case .list(let charterItems) = charterValue else {
            return problem(.notOverridable, "\(name) cannot be overridden: the charter's value is not a list")
        }
        if let unknown = items.first(where: { !known.contains($0) }) {
            return problem(
                .wrongKind, "\(name): \"\(unknown)\" is not a contract type; they are \(known.joined(separator: ", "))")
        }
        let added = items.filter { !charterItems.contains($0) }
        guard added.isEmpty else {
            let addedList = Set(added).sorted().joined(separator: ", ")
            let charterList = charterItems.isEmpty ? "none" : charterItems.joined(separator: ", ")
            return problem(
                .loosens,
                "\(name) would loosen the standard by also excluding \(addedList) (the charter excludes"
                    + " \(charterList)); overrides may only tighten: \(parameter.reason)")
        }
        return nil
    }
}

extension Decimal {
    /// True when there is nothing after the decimal point.
    fileprivate var isWhole: Bool {
        var value = self
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 0, .plain)
        return rounded == self
    }
}
