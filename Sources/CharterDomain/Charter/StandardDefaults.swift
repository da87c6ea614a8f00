public import Foundation

/// A standard's parameters as its charter version sets them (the `standards.params` column), the
/// values a pledge's overrides are checked against and merged into.
public struct StandardDefaults: Sendable, Hashable {
    public var parameters: [String: ParameterValue]

    public init(parameters: [String: ParameterValue] = [:]) {
        self.parameters = parameters
    }

    /// Reads the JSON object of a standard's parameters, e.g. `{"threshold_percent": 5}`.
    public init(json: Data) throws(CharterDomainError) {
        guard let object = try? JSONSerialization.jsonObject(with: json), let fields = object as? [String: Any] else {
            throw CharterDomainError(.invalidStandard, "a standard's parameters must be a JSON object")
        }
        var parameters: [String: ParameterValue] = [:]
        for (name, raw) in fields {
            guard let value = ParameterValue(json: raw) else {
                throw CharterDomainError(
                    .invalidStandard,
                    "the standard parameter \(name) must be a number, text, true/false or a list of text")
            }
            parameters[name] = value
        }
        self.parameters = parameters
    }
}
