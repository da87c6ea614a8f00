public import Foundation

/// One figure of SPEC §11; its raw value is its name in JSON, CSV and `charterctl`.
public enum OutcomeFigure: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    case employersReporting = "employers_reporting"
    case workers
    case lines
    case directWorkers = "direct_workers"
    case rlwInScope = "rlw_in_scope"
    case belowRLW = "below_rlw"
    case belowRLWShare = "below_rlw_share"
    case zeroHoursShare = "zero_hours_share"
    case insecureShare = "insecure_share"
    case lowHoursShare = "low_hours_share"
    case payGapMean = "pay_gap_mean"
    case payGapMedian = "pay_gap_median"
    case unionRecognitionShare = "union_recognition_share"

    /// How a figure reads: a count, a share (fraction 0–1) or a pay gap (percentage points).
    public enum Kind: Sendable {
        case count, share, percentage
    }

    public var kind: Kind {
        switch self {
        case .employersReporting, .workers, .lines, .directWorkers, .rlwInScope, .belowRLW: return .count
        case .belowRLWShare, .zeroHoursShare, .insecureShare, .lowHoursShare, .unionRecognitionShare: return .share
        case .payGapMean, .payGapMedian: return .percentage
        }
    }

    /// The figure's name in a sentence, for pages, tables and mail.
    public var label: String {
        switch self {
        case .employersReporting: return "Employers reporting"
        case .workers: return "Workers covered (headcount)"
        case .lines: return "Worker lines"
        case .directWorkers: return "Direct workers"
        case .rlwInScope: return "Direct workers in scope of the Real Living Wage"
        case .belowRLW: return "Paid below the Real Living Wage"
        case .belowRLWShare: return "Share paid below the Real Living Wage"
        case .zeroHoursShare: return "Share of direct workers on zero-hours contracts"
        case .insecureShare: return "Share in insecure work (agency, zero-hours, casual)"
        case .lowHoursShare: return "Share of direct workers contracted under 16 hours"
        case .payGapMean: return "Gender pay gap, mean"
        case .payGapMedian: return "Gender pay gap, median"
        case .unionRecognitionShare: return "Share of returns with a union recognition agreement"
        }
    }

    /// The value as JSON carries it: counts whole, shares to 4 decimals, pay gaps to 1 decimal.
    public func jsonValue(_ value: Decimal) -> Decimal {
        switch kind {
        case .count: return value.roundedPlain(0)
        case .share: return value.roundedPlain(4)
        case .percentage: return value.roundedPlain(1)
        }
    }

    /// The value as a page shows it: counts with thousands separators, shares and pay gaps as
    /// percentages with one decimal.
    public func pageText(_ value: Decimal?) -> String {
        guard let value else { return "—" }
        switch kind {
        case .count: return Self.grouped(value.roundedPlain(0))
        case .share: return "\(Self.oneDecimal(value * 100))%"
        case .percentage: return "\(Self.oneDecimal(value))%"
        }
    }

    /// The same value for the CSV: as in JSON, in plain digits.
    public func csvText(_ value: Decimal?) -> String {
        guard let value else { return "" }
        return "\(jsonValue(value))"
    }

    public static func < (lhs: OutcomeFigure, rhs: OutcomeFigure) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    static func oneDecimal(_ value: Decimal) -> String {
        let rounded = value.roundedPlain(1)
        let text = "\(rounded)"
        return text.contains(".") ? text : text + ".0"
    }

    static func grouped(_ value: Decimal) -> String {
        let digits = "\(value)"
        let negative = digits.hasPrefix("-")
        let body = Array(negative ? digits.dropFirst() : Substring(digits))
        var out: [Character] = []
        for (index, digit) in body.enumerated() {
            if index > 0, (body.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (negative ? "-" : "") + String(out)
    }
}

extension Decimal {
    /// Rounded half away from zero to `places` decimals.
    public func roundedPlain(_ places: Int) -> Decimal {
        var value = self
        var result = Decimal()
        NSDecimalRound(&result, &value, places, .plain)
        return result
    }
}
