public import Foundation

/// The outcomes in sentences: the text summary beside the charts, and the weekly summary's headline.
public enum OutcomeSummary {
    /// The headline figures of SPEC §11 with their change since the previous period.
    public static let headlineFigures: [OutcomeFigure] = [
        .employersReporting, .workers, .belowRLWShare, .insecureShare, .zeroHoursShare, .lowHoursShare,
        .payGapMedian,
    ]

    /// One headline figure: its label, value as a page writes it, and the change since `previous`.
    public struct Line: Sendable, Hashable, Codable {
        public var label: String
        public var value: String
        /// "up 1.2 points", "down 3", "no change", or "" when either period's figure is missing.
        public var change: String

        public init(label: String, value: String, change: String) {
            self.label = label
            self.value = value
            self.change = change
        }
    }

    /// The headline lines of `current` against `previous` (both as the reader may see them).
    public static func headline(_ current: OutcomeGroup, previous: OutcomeGroup?) -> [Line] {
        headlineFigures.map { figure in
            Line(
                label: figure.label, value: figure.pageText(current[figure]),
                change: change(figure, current[figure], previous?[figure]))
        }
    }

    /// The change of one figure in words: counts in units, shares and pay gaps in percentage points.
    public static func change(_ figure: OutcomeFigure, _ now: Decimal?, _ before: Decimal?) -> String {
        guard let now, let before else { return "" }
        let difference: Decimal
        let unit: String
        switch figure.kind {
        case .count:
            difference = (now - before).roundedPlain(0)
            unit = ""
        case .share:
            difference = ((now - before) * 100).roundedPlain(1)
            unit = " points"
        case .percentage:
            difference = (now - before).roundedPlain(1)
            unit = " points"
        }
        if difference == 0 { return "no change" }
        let magnitude = difference < 0 ? -difference : difference
        let text = figure.kind == .count ? OutcomeFigure.grouped(magnitude) : OutcomeFigure.oneDecimal(magnitude)
        return "\(difference < 0 ? "down" : "up") \(text)\(unit)"
    }

    /// A few sentences that say what the charts show, for everyone and for screen readers.
    public static func sentences(_ report: OutcomesReport) -> [String] {
        let region = report.current.region
        let period = report.current.period
        let previous = report.previous
        var out: [String] = []
        if let employers = region[.employersReporting], let workers = region[.workers] {
            out.append(
                "In \(period), \(OutcomeFigure.employersReporting.pageText(employers)) employers reported on "
                    + "\(OutcomeFigure.workers.pageText(workers)) workers.")
        } else {
            out.append("In \(period), too few employers reported for the region's figures to be shown.")
        }
        let described: [(OutcomeFigure, String)] = [
            (.belowRLWShare, "of direct workers in scope of the Real Living Wage were paid below it"),
            (.insecureShare, "of workers were in insecure work (agency, zero-hours or casual)"),
            (.zeroHoursShare, "of direct workers were on zero-hours contracts"),
            (.lowHoursShare, "of direct workers were contracted for under 16 hours a week"),
        ]
        for (figure, words) in described {
            guard let value = region[figure] else {
                out.append(
                    "The share that \(words.replacingOccurrences(of: "of ", with: "", options: .anchored)) is withheld or unknown."
                )
                continue
            }
            var sentence = "\(figure.pageText(value)) \(words)"
            if let previous, let before = previous.region[figure] {
                sentence += " (\(figure.pageText(before)) in \(previous.period); \(change(figure, value, before)))"
            }
            out.append(sentence + ".")
        }
        if let median = region[.payGapMedian], let mean = region[.payGapMean] {
            out.append(
                "The gender pay gap of direct workers was \(OutcomeFigure.payGapMedian.pageText(median)) at the median "
                    + "and \(OutcomeFigure.payGapMean.pageText(mean)) at the mean.")
        }
        if report.trend.count > 1 {
            out.append("The trend covers \(report.trend.count) periods, from \(report.trend[0].period) to \(period).")
        }
        return out
    }

    /// One sentence about a breakdown: which group has the highest share below the Real Living Wage.
    public static func breakdownSentence(_ groups: [OutcomeGroup], breakdown: OutcomeBreakdown) -> String {
        let shown = groups.compactMap { group in group[.belowRLWShare].map { (group.name, $0) } }
        guard let highest = shown.max(by: { $0.1 < $1.1 }) else {
            return "No \(breakdown.rawValue) has enough returns for its share below the Real Living Wage to be shown."
        }
        let withheld = groups.count - shown.count
        return "By \(breakdown.rawValue), the highest share paid below the Real Living Wage is "
            + "\(OutcomeFigure.belowRLWShare.pageText(highest.1)) (\(highest.0))"
            + (withheld > 0
                ? "; \(withheld) group\(withheld == 1 ? "'s figures are" : "s' figures are") withheld or empty." : ".")
    }
}
