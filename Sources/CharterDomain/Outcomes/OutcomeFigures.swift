public import Foundation

/// The outcome figures of one return version (SPEC §11), kept when the version is stored so they
/// outlive retention's deletion of its worker lines.
///
/// Everything here can be summed across returns except two things, which are therefore kept whole:
///
/// - the hourly rates of the direct lines by sex (`maleRates`, `femaleRates`), since a median cannot
///   be summed: the region's median is taken over all of them;
/// - the hourly rates of the lines in scope of the Real Living Wage (`rlwRatesUK`, `rlwRatesLondon`),
///   since `below_rlw` depends on a rate that `charterctl rates add` may correct after the lines are
///   gone: the count below it is worked out again from these.
///
/// Rates are whole ten-thousandths of a pound (`RateUnits`), exact for the four decimal places a
/// return may give, sorted ascending. A typical return of 100 lines keeps about 200 of them: 800 bytes.
///
/// The Real Living Wage scope is the charter's default one (direct, 18+, contract type not
/// apprentice, intern or volunteer), the same for every employer whatever its pledge's overrides, so
/// the region's figures add up like with like.
public struct OutcomeFigures: Sendable, Hashable, Codable {
    /// The header's `headcount`.
    public var headcount: Int
    /// Worker lines.
    public var lines: Int
    /// Lines with `employment_type = direct`.
    public var directLines: Int
    /// Direct `zero_hours` lines.
    public var directZeroHours: Int
    /// Lines that are `agency`, or `zero_hours` or `casual` (TUC's insecure work).
    public var insecureLines: Int
    /// Direct lines with `contracted_hours < 16`.
    public var directLowHours: Int
    /// The header's `recognition_agreement`; nil when the return left it blank.
    public var recognitionAgreement: Bool?
    /// Hourly rates of in-scope lines outside London, sorted.
    public var rlwRatesUK: [Int32]
    /// Hourly rates of in-scope lines with `workplace_london`, sorted.
    public var rlwRatesLondon: [Int32]
    /// Hourly rates of direct lines with `sex = male`, sorted.
    public var maleRates: [Int32]
    /// Hourly rates of direct lines with `sex = female`, sorted.
    public var femaleRates: [Int32]

    public init(
        headcount: Int = 0, lines: Int = 0, directLines: Int = 0, directZeroHours: Int = 0, insecureLines: Int = 0,
        directLowHours: Int = 0, recognitionAgreement: Bool? = nil, rlwRatesUK: [Int32] = [],
        rlwRatesLondon: [Int32] = [], maleRates: [Int32] = [], femaleRates: [Int32] = []
    ) {
        self.headcount = headcount
        self.lines = lines
        self.directLines = directLines
        self.directZeroHours = directZeroHours
        self.insecureLines = insecureLines
        self.directLowHours = directLowHours
        self.recognitionAgreement = recognitionAgreement
        self.rlwRatesUK = rlwRatesUK
        self.rlwRatesLondon = rlwRatesLondon
        self.maleRates = maleRates
        self.femaleRates = femaleRates
    }

    /// Contract types outside `pay.real-living-wage` by the charter's default (SPEC §4).
    public static let excludedFromRealLivingWage: Set<ContractType> = [.apprentice, .intern, .volunteer]

    /// Contracted hours below which a direct line counts as low hours.
    public static let lowHoursBelow: Decimal = 16

    /// Direct lines aged 18+ whose contract type is not excluded from the Real Living Wage.
    public var rlwInScope: Int { rlwRatesUK.count + rlwRatesLondon.count }

    /// In-scope lines whose `hourly_rate` is below `rate` (the London rate where `workplace_london`).
    /// A worker paid exactly the rate is not below it.
    public func belowRealLivingWage(_ rate: RealLivingWageRate) -> Int {
        RateUnits.countBelow(RateUnits.of(rate.uk), in: rlwRatesUK)
            + RateUnits.countBelow(RateUnits.of(rate.london), in: rlwRatesLondon)
    }

    /// The figures of a header and its worker lines, as `Tally` adds them up line by line.
    public init(header: ReturnHeader, lines: some Sequence<WorkerLine>) {
        var tally = Tally()
        for line in lines { tally.add(line) }
        self = tally.figures(header: header)
    }

    /// Adds up a return's worker lines as they stream in at submission, so they are read only once.
    public struct Tally: Sendable {
        private var figures = OutcomeFigures()

        public init() {}

        public mutating func add(_ line: WorkerLine) {
            figures.lines += 1
            let contract = line.contractType
            if line.employmentType == .agency || contract == .zeroHours || contract == .casual {
                figures.insecureLines += 1
            }
            guard line.employmentType == .direct else { return }
            figures.directLines += 1
            if contract == .zeroHours { figures.directZeroHours += 1 }
            if line.contractedHours < OutcomeFigures.lowHoursBelow { figures.directLowHours += 1 }
            let rate = RateUnits.of(line.hourlyRate)
            if line.ageBand.isAdult, !OutcomeFigures.excludedFromRealLivingWage.contains(contract) {
                if line.workplaceLondon {
                    figures.rlwRatesLondon.append(rate)
                } else {
                    figures.rlwRatesUK.append(rate)
                }
            }
            switch line.sex {
            case .male: figures.maleRates.append(rate)
            case .female: figures.femaleRates.append(rate)
            case nil: break
            }
        }

        /// The figures of the lines added so far under `header`, rates sorted.
        public func figures(header: ReturnHeader) -> OutcomeFigures {
            var result = figures
            result.headcount = header.headcount
            result.recognitionAgreement = header.attestations.recognitionAgreement
            result.rlwRatesUK.sort()
            result.rlwRatesLondon.sort()
            result.maleRates.sort()
            result.femaleRates.sort()
            return result
        }
    }
}

/// Hourly rates as whole ten-thousandths of a pound: exact for the four decimal places of a return
/// (£500 is 5,000,000, well inside `Int32`), and cheap to keep, sort and add up.
public enum RateUnits {
    /// Units per pound.
    public static let perPound: Int32 = 10_000

    /// `amount` (pounds) in ten-thousandths of a pound, rounded to the nearest unit.
    public static func of(_ amount: Decimal) -> Int32 {
        var scaled = amount * Decimal(Int(perPound))
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        return Int32(truncating: NSDecimalNumber(decimal: rounded))
    }

    /// The amount in pounds of `units`.
    public static func pounds(_ units: Int64) -> Decimal { Decimal(units) / Decimal(Int(perPound)) }

    /// How many of the sorted `rates` are strictly below `bound`.
    public static func countBelow(_ bound: Int32, in rates: [Int32]) -> Int {
        var low = 0
        var high = rates.count
        while low < high {
            let middle = (low + high) / 2
            if rates[middle] < bound { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
