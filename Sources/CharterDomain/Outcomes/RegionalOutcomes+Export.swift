import Foundation

/// A period's outcomes as JSON (`GET /v1/outcomes`, `charterctl outcomes --format json`): the keys are
/// SPEC §11's figure names, with `period`, and `groups` for a breakdown (each group named under the
/// breakdown's name: `{"sector": "public", …}`). Shares are fractions to 4 decimals, pay gaps
/// percentages to 1 decimal; a figure that cannot be computed or is withheld is `null`.
///
/// With `marksSuppression` (the API), every group also says `"suppressed": true|false` and, when true,
/// lists the withheld figures under `withheld`; `trend`, when given, adds the region's figures of each
/// period under `trend`.
public struct OutcomesDocument: Encodable, Sendable {
    public var outcomes: RegionalOutcomes
    public var breakdown: OutcomeBreakdown?
    public var marksSuppression: Bool
    public var trend: [RegionalOutcomes]?

    public init(
        _ outcomes: RegionalOutcomes, breakdown: OutcomeBreakdown?, marksSuppression: Bool,
        trend: [RegionalOutcomes]? = nil
    ) {
        self.outcomes = outcomes
        self.breakdown = breakdown
        self.marksSuppression = marksSuppression
        self.trend = trend
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(outcomes.period.description, forKey: Key("period"))
        try encodeFigures(of: outcomes.region, into: &container)
        if let breakdown {
            var groups = container.nestedUnkeyedContainer(forKey: Key("groups"))
            for group in outcomes.groups(by: breakdown) {
                var item = groups.nestedContainer(keyedBy: Key.self)
                try item.encode(group.name, forKey: Key(breakdown.rawValue))
                try encodeFigures(of: group, into: &item)
            }
        }
        if let trend {
            var periods = container.nestedUnkeyedContainer(forKey: Key("trend"))
            for past in trend {
                var item = periods.nestedContainer(keyedBy: Key.self)
                try item.encode(past.period.description, forKey: Key("period"))
                try encodeFigures(of: past.region, into: &item)
            }
        }
    }

    private func encodeFigures(of group: OutcomeGroup, into container: inout KeyedEncodingContainer<Key>) throws {
        for figure in OutcomeFigure.allCases {
            if let value = group[figure] {
                try container.encode(figure.jsonValue(value), forKey: Key(figure.rawValue))
            } else {
                try container.encodeNil(forKey: Key(figure.rawValue))
            }
        }
        guard marksSuppression else { return }
        try container.encode(group.isSuppressed, forKey: Key("suppressed"))
        if group.isSuppressed {
            try container.encode(group.withheld.sorted().map(\.rawValue), forKey: Key("withheld"))
        }
    }
}

extension RegionalOutcomes {
    /// The CSV columns: the period, the breakdown and group, every figure by its SPEC §11 name, and
    /// whether any figure of the row was withheld.
    public static let csvHeader =
        ["period", "breakdown", "group"] + OutcomeFigure.allCases.map(\.rawValue) + ["suppressed"]

    /// The open-data CSV rows (`GET /outcomes.csv`): the region, then each sector, then each tier.
    /// A withheld figure is an empty cell and its row says `suppressed` true.
    public var csvRows: [[String]] {
        func row(_ breakdown: String, _ group: OutcomeGroup) -> [String] {
            [period.description, breakdown, group.name] + OutcomeFigure.allCases.map { $0.csvText(group[$0]) }
                + [group.isSuppressed ? "true" : "false"]
        }
        return [row("region", region)] + bySector.map { row("sector", $0) } + byTier.map { row("tier", $0) }
    }
}
