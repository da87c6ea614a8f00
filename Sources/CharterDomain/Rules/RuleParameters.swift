import Foundation

/// One standard's effective parameters, read with the checks a rule needs.
///
/// A parameter a rule relies on but the charter version does not set is an error in the charter's data,
/// so it throws rather than falling back to a default the charter team never chose.
struct RuleParameters: Sendable {
    let standardID: String
    let values: [String: ParameterValue]

    func number(_ name: String) throws(CharterDomainError) -> Decimal {
        guard let value = values[name] else { throw missing(name) }
        guard let number = value.number else {
            throw CharterDomainError(
                .invalidStandard, "\(standardID) parameter \(name) must be a number, not \(value)")
        }
        return number
    }

    /// A whole number of days, weeks, months or periods.
    func whole(_ name: String) throws(CharterDomainError) -> Int {
        let value = try number(name)
        var rounded = Decimal()
        var copy = value
        NSDecimalRound(&rounded, &copy, 0, .plain)
        guard rounded == value else {
            throw CharterDomainError(
                .invalidStandard, "\(standardID) parameter \(name) must be a whole number, not \(value)")
        }
        return NSDecimalNumber(decimal: rounded).intValue
    }

    func list(_ name: String) throws(CharterDomainError) -> [String] {
        guard let value = values[name] else { throw missing(name) }
        guard case .list(let items) = value else {
            throw CharterDomainError(.invalidStandard, "\(standardID) parameter \(name) must be a list, not \(value)")
        }
        return items
    }

    /// A text setting, nil when not set.
    func text(_ name: String) -> String? {
        if case .text(let text) = values[name] { text } else { nil }
    }

    /// A true/false setting, nil when not set.
    func flag(_ name: String) -> Bool? {
        if case .flag(let flag) = values[name] { flag } else { nil }
    }

    /// A severity named by a text setting (e.g. `"breach"`), nil when not set.
    func severity(_ name: String) throws(CharterDomainError) -> Severity? {
        guard let text = text(name) else { return nil }
        guard let severity = Severity(rawValue: text) else {
            throw CharterDomainError(
                .invalidStandard, "\(standardID) parameter \(name) must name a severity, not \"\(text)\"")
        }
        return severity
    }

    private func missing(_ name: String) -> CharterDomainError {
        CharterDomainError(.invalidStandard, "\(standardID) has no parameter \(name) in this charter version")
    }
}
