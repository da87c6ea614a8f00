public import Foundation

/// One return counted in a period's outcomes: whose it is, which groups it falls in, and its figures
/// with `below_rlw` worked out against the rate in force at the period's snapshot.
public struct OutcomeReturn: Sendable, Hashable {
    public var employerID: Int64
    /// The version number; of several versions of one employer's return, only the latest counts.
    public var version: Int
    public var sector: Sector
    /// The tier of the pledge in force at the snapshot; nil when there was none.
    public var tier: Tier?
    public var headcount: Int
    public var lines: Int
    public var directLines: Int
    public var directZeroHours: Int
    public var insecureLines: Int
    public var directLowHours: Int
    public var recognitionAgreement: Bool?
    public var rlwInScope: Int
    public var belowRLW: Int
    public var maleRates: [Int32]
    public var femaleRates: [Int32]

    public init(
        employerID: Int64, version: Int, sector: Sector, tier: Tier?, headcount: Int, lines: Int, directLines: Int,
        directZeroHours: Int, insecureLines: Int, directLowHours: Int, recognitionAgreement: Bool?, rlwInScope: Int,
        belowRLW: Int, maleRates: [Int32], femaleRates: [Int32]
    ) {
        self.employerID = employerID
        self.version = version
        self.sector = sector
        self.tier = tier
        self.headcount = headcount
        self.lines = lines
        self.directLines = directLines
        self.directZeroHours = directZeroHours
        self.insecureLines = insecureLines
        self.directLowHours = directLowHours
        self.recognitionAgreement = recognitionAgreement
        self.rlwInScope = rlwInScope
        self.belowRLW = belowRLW
        self.maleRates = maleRates
        self.femaleRates = femaleRates
    }

    /// A return's kept figures, with `below_rlw` against `rate` (the Real Living Wage in force at the snapshot).
    public init(
        employerID: Int64, version: Int = 1, sector: Sector, tier: Tier?, figures: OutcomeFigures,
        rate: RealLivingWageRate
    ) {
        self.init(
            employerID: employerID, version: version, sector: sector, tier: tier, headcount: figures.headcount,
            lines: figures.lines, directLines: figures.directLines, directZeroHours: figures.directZeroHours,
            insecureLines: figures.insecureLines, directLowHours: figures.directLowHours,
            recognitionAgreement: figures.recognitionAgreement, rlwInScope: figures.rlwInScope,
            belowRLW: figures.belowRealLivingWage(rate), maleRates: figures.maleRates,
            femaleRates: figures.femaleRates)
    }
}

/// The population a figure is drawn from, which decides whether it may be shown to the public.
public struct OutcomeBasis: Sendable, Hashable, Codable {
    /// Workers the figure is drawn from.
    public var workers: Int
    /// Employers whose returns contribute to it.
    public var employers: Int

    public init(workers: Int, employers: Int) {
        self.workers = workers
        self.employers = employers
    }

    /// Withheld from the public and reps (SPEC §11): fewer than 5 workers or fewer than 3 employers.
    public var isSmall: Bool { workers < OutcomeBasis.minimumWorkers || employers < OutcomeBasis.minimumEmployers }

    /// Withheld from a rep looking at one employer's own figures, as flag evidence is (SPEC §4): fewer
    /// than 5 workers. One employer is always fewer than 3, so the employer rule would withhold it all.
    public var isSmallForOneEmployer: Bool { workers < OutcomeBasis.minimumWorkers }

    public static let minimumWorkers = 5
    public static let minimumEmployers = 3
}

/// The figures of one group of returns: the region, a sector or a tier.
public struct OutcomeGroup: Sendable, Hashable {
    /// `region`, a sector (`private`, `public`, `voluntary`) or a tier (`aspiring`, `accredited`, `none`).
    public var name: String
    /// Each figure's value; nil when it cannot be computed (nothing to divide by) or is withheld.
    public var values: [OutcomeFigure: Decimal?]
    /// Each figure's population.
    public var bases: [OutcomeFigure: OutcomeBasis]
    /// Figures withheld by `suppressed()`; empty in the full view.
    public var withheld: Set<OutcomeFigure>
    /// How many workers each figure counts (a count itself, or a share's numerator; for a pay gap, the
    /// fewer of men and women): what one employer's figures shown to its reps are withheld on.
    var counted: [OutcomeFigure: Int] = [:]

    public subscript(_ figure: OutcomeFigure) -> Decimal? { values[figure] ?? nil }

    public var isSuppressed: Bool { !withheld.isEmpty }

    /// The group's figures of `returns` (already one per employer).
    public init(name: String, returns: some Collection<OutcomeReturn>) {
        self.name = name
        var sums = Sums()
        var male: [Int32] = []
        var female: [Int32] = []
        for item in returns {
            sums.add(item)
            male.append(contentsOf: item.maleRates)
            female.append(contentsOf: item.femaleRates)
        }
        (values, bases) = sums.figures(male: &male, female: &female)
        counted = sums.counted(male: male.count, female: female.count)
        withheld = []
    }

    /// The same group with every figure drawn from fewer than 5 workers or 3 employers withheld, whatever
    /// its value (an empty figure in a small group would say something too: no men, no direct workers); a
    /// group no employer is in has nothing to hide. For `oneEmployer`'s own figures (shown to its reps, as
    /// flag evidence is), every figure drawn from fewer than 5 workers, and every figure counting 1–4 of
    /// them (`below_rlw` = 2, or its share).
    public func suppressed(oneEmployer: Bool = false) -> OutcomeGroup {
        var copy = self
        for (figure, basis) in bases where basis.employers > 0 {
            let small = oneEmployer ? basis.isSmallForOneEmployer : basis.isSmall
            let fewCounted = oneEmployer && figure != .employersReporting && (1..<5).contains(counted[figure] ?? 0)
            if small || fewCounted { copy.withhold(figure) }
        }
        return copy
    }

    mutating func withhold(_ figure: OutcomeFigure) {
        values[figure] = .some(nil)
        withheld.insert(figure)
    }

    /// Running totals over a group's returns.
    private struct Sums {
        var employers = 0
        var headcount = 0
        var lines = 0
        var employersWithLines = 0
        var direct = 0
        var employersWithDirect = 0
        var zeroHours = 0
        var insecure = 0
        var lowHours = 0
        var inScope = 0
        var employersInScope = 0
        var below = 0
        var answered = 0
        var answeredHeadcount = 0
        var recognised = 0
        var sexed = 0
        var employersSexed = 0
        var maleSum: Int64 = 0
        var femaleSum: Int64 = 0

        mutating func add(_ item: OutcomeReturn) {
            employers += 1
            headcount += item.headcount
            lines += item.lines
            if item.lines > 0 { employersWithLines += 1 }
            direct += item.directLines
            if item.directLines > 0 { employersWithDirect += 1 }
            zeroHours += item.directZeroHours
            insecure += item.insecureLines
            lowHours += item.directLowHours
            inScope += item.rlwInScope
            if item.rlwInScope > 0 { employersInScope += 1 }
            below += item.belowRLW
            if let recognition = item.recognitionAgreement {
                answered += 1
                answeredHeadcount += item.headcount
                if recognition { recognised += 1 }
            }
            let sexedLines = item.maleRates.count + item.femaleRates.count
            sexed += sexedLines
            if sexedLines > 0 { employersSexed += 1 }
            for rate in item.maleRates { maleSum += Int64(rate) }
            for rate in item.femaleRates { femaleSum += Int64(rate) }
        }

        func figures(male: inout [Int32], female: inout [Int32]) -> (
            [OutcomeFigure: Decimal?], [OutcomeFigure: OutcomeBasis]
        ) {
            let all = OutcomeBasis(workers: headcount, employers: employers)
            let ofLines = OutcomeBasis(workers: lines, employers: employersWithLines)
            let ofDirect = OutcomeBasis(workers: direct, employers: employersWithDirect)
            let ofScope = OutcomeBasis(workers: inScope, employers: employersInScope)
            let ofSexed = OutcomeBasis(workers: sexed, employers: employersSexed)
            let ofAnswers = OutcomeBasis(workers: answeredHeadcount, employers: answered)
            var gapMean: Decimal?
            var gapMedian: Decimal?
            if !male.isEmpty, !female.isEmpty, maleSum > 0 {
                let maleMean = Decimal(maleSum) / Decimal(male.count)
                let femaleMean = Decimal(femaleSum) / Decimal(female.count)
                gapMean = (maleMean - femaleMean) / maleMean * 100
                let maleMedian = Self.median(&male)
                gapMedian = (maleMedian - Self.median(&female)) / maleMedian * 100
            }
            let values: [OutcomeFigure: Decimal?] = [
                .employersReporting: Decimal(employers), .workers: Decimal(headcount), .lines: Decimal(lines),
                .directWorkers: Decimal(direct), .rlwInScope: Decimal(inScope), .belowRLW: Decimal(below),
                .belowRLWShare: Self.share(below, of: inScope), .zeroHoursShare: Self.share(zeroHours, of: direct),
                .insecureShare: Self.share(insecure, of: lines), .lowHoursShare: Self.share(lowHours, of: direct),
                .payGapMean: gapMean, .payGapMedian: gapMedian,
                .unionRecognitionShare: Self.share(recognised, of: answered),
            ]
            let bases: [OutcomeFigure: OutcomeBasis] = [
                .employersReporting: all, .workers: all, .lines: ofLines, .directWorkers: ofDirect,
                .rlwInScope: ofScope, .belowRLW: ofScope, .belowRLWShare: ofScope, .zeroHoursShare: ofDirect,
                .insecureShare: ofLines, .lowHoursShare: ofDirect, .payGapMean: ofSexed, .payGapMedian: ofSexed,
                .unionRecognitionShare: ofAnswers,
            ]
            return (values, bases)
        }

        func counted(male: Int, female: Int) -> [OutcomeFigure: Int] {
            [
                .workers: headcount, .lines: lines, .directWorkers: direct, .rlwInScope: inScope, .belowRLW: below,
                .belowRLWShare: below, .zeroHoursShare: zeroHours, .insecureShare: insecure, .lowHoursShare: lowHours,
                .payGapMean: min(male, female), .payGapMedian: min(male, female),
            ]
        }

        static func share(_ part: Int, of whole: Int) -> Decimal? {
            whole > 0 ? Decimal(part) / Decimal(whole) : nil
        }

        /// The median of `rates` (not empty), in units; the mean of the middle two when their number is
        /// even. Found by selection, in linear time, rather than by sorting: the region's rates run to a
        /// million, and each breakdown takes them again. Reorders `rates`.
        static func median(_ rates: inout [Int32]) -> Decimal {
            let middle = rates.count / 2
            let upper = select(&rates, middle)
            if rates.count % 2 == 1 { return Decimal(Int(upper)) }
            // After selecting `middle`, everything before it is no greater: the lower middle is their largest.
            let lower = rates[..<middle].max() ?? upper
            return (Decimal(Int(lower)) + Decimal(Int(upper))) / 2
        }

        /// The `k`-th smallest of `values` (0-based), leaving it at index `k` with no greater value
        /// before it and no smaller after it (Hoare's selection with a median-of-three pivot).
        static func select(_ values: inout [Int32], _ k: Int) -> Int32 {
            var low = 0
            var high = values.count - 1
            while low < high {
                let middle = low + (high - low) / 2
                if values[middle] < values[low] { values.swapAt(middle, low) }
                if values[high] < values[low] { values.swapAt(high, low) }
                if values[high] < values[middle] { values.swapAt(high, middle) }
                let pivot = values[middle]
                var i = low
                var j = high
                while i <= j {
                    while values[i] < pivot { i += 1 }
                    while values[j] > pivot { j -= 1 }
                    if i <= j {
                        values.swapAt(i, j)
                        i += 1
                        j -= 1
                    }
                }
                if k <= j {
                    high = j
                } else if k >= i {
                    low = i
                } else {
                    return values[k]
                }
            }
            return values[k]
        }
    }
}

/// How a period's outcomes are broken down.
public enum OutcomeBreakdown: String, Sendable, Hashable, CaseIterable, Codable {
    case sector, tier
}

/// A period's outcomes (SPEC §11): the region's figures and the breakdowns by sector and by tier.
public struct RegionalOutcomes: Sendable, Hashable {
    public var period: ReportingPeriod
    public var region: OutcomeGroup
    /// One group per sector, in `Sector.allCases` order, each even when empty.
    public var bySector: [OutcomeGroup]
    /// One group per tier, then `none` for returns with no pledge in force; `none` only when it has returns.
    public var byTier: [OutcomeGroup]

    /// The name of the tier group of returns with no pledge in force at the snapshot.
    public static let noTier = "none"

    /// The outcomes of `returns`: of several versions of one employer's return, only the latest counts.
    public init(period: ReportingPeriod, returns: [OutcomeReturn]) {
        self.period = period
        var latest: [Int64: OutcomeReturn] = [:]
        latest.reserveCapacity(returns.count)
        for item in returns where (latest[item.employerID]?.version ?? Int.min) < item.version {
            latest[item.employerID] = item
        }
        let counted = latest.values.sorted { $0.employerID < $1.employerID }
        region = OutcomeGroup(name: "region", returns: counted)
        let sectors = Dictionary(grouping: counted, by: \.sector)
        bySector = Sector.allCases.map { OutcomeGroup(name: $0.rawValue, returns: sectors[$0] ?? []) }
        let tiers = Dictionary(grouping: counted, by: { $0.tier?.rawValue ?? Self.noTier })
        byTier = Tier.allCases.map { OutcomeGroup(name: $0.rawValue, returns: tiers[$0.rawValue] ?? []) }
        if let untiered = tiers[Self.noTier] { byTier.append(OutcomeGroup(name: Self.noTier, returns: untiered)) }
    }

    public func groups(by breakdown: OutcomeBreakdown) -> [OutcomeGroup] {
        switch breakdown {
        case .sector: return bySector
        case .tier: return byTier
        }
    }

    /// What the public and reps may see: every figure drawn from fewer than 5 workers or 3 employers
    /// withheld — and, within each breakdown, as many more groups' as it takes so that no withheld figure can
    /// be worked out by subtraction (`complemented`).
    public func suppressed() -> RegionalOutcomes {
        var copy = self
        copy.region = region.suppressed()
        copy.bySector = Self.complemented(bySector.map { $0.suppressed() }, full: bySector)
        copy.byTier = Self.complemented(byTier.map { $0.suppressed() }, full: byTier)
        return copy
    }

    /// Secondary suppression: the groups of a breakdown add up to the region, so the region less the groups
    /// shown is the withheld groups' total. For each figure, while the withheld groups together are drawn
    /// from fewer than 5 workers or 3 employers, the smallest group still shown is withheld too (with one
    /// group withheld and the rest shown, that group would be the region less the others).
    static func complemented(
        _ groups: [OutcomeGroup], full: [OutcomeGroup]
    ) -> [OutcomeGroup] {
        var groups = groups
        for figure in OutcomeFigure.allCases {
            while true {
                let withheld = groups.indices.filter { groups[$0].withheld.contains(figure) }
                guard !withheld.isEmpty else { break }
                let hidden = withheld.reduce(OutcomeBasis(workers: 0, employers: 0)) { total, index in
                    let basis = full[index].bases[figure] ?? OutcomeBasis(workers: 0, employers: 0)
                    return OutcomeBasis(
                        workers: total.workers + basis.workers, employers: total.employers + basis.employers)
                }
                guard hidden.isSmall else { break }
                let shown = groups.indices.filter {
                    !groups[$0].withheld.contains(figure) && (full[$0].bases[figure]?.employers ?? 0) > 0
                }
                guard
                    let smallest = shown.min(by: {
                        (full[$0].bases[figure]?.workers ?? 0) < (full[$1].bases[figure]?.workers ?? 0)
                    })
                else { break }
                groups[smallest].withhold(figure)
            }
        }
        return groups
    }
}
