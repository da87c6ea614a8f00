public import CharterDomain
import CharterStore
import Foundation
public import PGClient

/// What stands between an employer and accreditation (SPEC §10 "Readiness"): its latest return judged
/// as if it were accredited, listing each standard that would then be a breach, with the figures.
public struct ReadinessReport: Sendable, Hashable, Encodable {
    public var employerID: Int64
    /// The tier of the employer's pledge in force today (nil without one) — what readiness is for: an
    /// aspiring employer's way up. The return judged may have been made under another tier (an
    /// accreditation that has since lapsed, say).
    public var currentTier: Tier?
    /// The period of the return judged; nil when the employer has no return under a pledge yet.
    public var period: ReportingPeriod?
    public var returnVersion: Int?
    public var charterVersion: String?
    /// The standards the return would breach at the accredited tier (severity breach or critical), by
    /// standard id; each carries its figures.
    public var breaches: [Finding]
    /// Why the return could not be judged (no rate in force at its snapshot), when that happened.
    public var problem: String?

    /// Whether the latest return meets every standard at the accredited tier.
    public var ready: Bool { period != nil && problem == nil && breaches.isEmpty }

    /// One sentence a charter officer or an employer reads first.
    public var summary: String {
        guard let period, let returnVersion else {
            return "There is no return to judge yet: readiness is worked out from the latest quarterly return."
        }
        if let problem { return "The \(period) return (version \(returnVersion)) could not be judged: \(problem)" }
        if breaches.isEmpty {
            return "Judged as if accredited, the \(period) return (version \(returnVersion)) meets every standard."
        }
        let count = Set(breaches.map(\.standardID)).count
        return "Judged as if accredited, the \(period) return (version \(returnVersion)) would breach "
            + (count == 1 ? "1 standard." : "\(count) standards.")
    }

    enum CodingKeys: String, CodingKey {
        case employerID = "employer_id"
        case currentTier = "current_tier"
        case period
        case returnVersion = "return_version"
        case charterVersion = "charter_version"
        case breaches, problem, ready, summary
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(employerID, forKey: .employerID)
        try container.encodeIfPresent(currentTier, forKey: .currentTier)
        try container.encodeIfPresent(period, forKey: .period)
        try container.encodeIfPresent(returnVersion, forKey: .returnVersion)
        try container.encodeIfPresent(charterVersion, forKey: .charterVersion)
        try container.encode(breaches, forKey: .breaches)
        try container.encodeIfPresent(problem, forKey: .problem)
        try container.encode(ready, forKey: .ready)
        try container.encode(summary, forKey: .summary)
    }

    init(
        employerID: Int64, currentTier: Tier?, period: ReportingPeriod?, returnVersion: Int?, charterVersion: String?,
        breaches: [Finding], problem: String?
    ) {
        self.employerID = employerID
        self.currentTier = currentTier
        self.period = period
        self.returnVersion = returnVersion
        self.charterVersion = charterVersion
        self.breaches = breaches
        self.problem = problem
    }
}

/// Works out readiness: the employer's latest return, under the pledge in force at its snapshot, judged
/// exactly as the nightly run judges (`ReturnJudge`: same figures, history and rules) but at the
/// accredited tier. It writes nothing.
public struct Readiness: Sendable {
    public let pool: PGPool

    public init(pool: PGPool) {
        self.pool = pool
    }

    /// Readiness of `employerID` on `today` (today in Europe/London when nil); a `CharterStoreError` `.notFound` when there is no such employer.
    public func assess(
        employerID: Int64, today: CalendarDate? = nil
    ) async throws -> ReadinessReport {
        guard try await EmployerStore(pool: pool).find(id: employerID) != nil else {
            throw CharterStoreError(.notFound, "there is no employer \(employerID)")
        }
        let tierToday = try await PledgeStore(pool: pool).list(employerID: employerID)
            .first { $0.isInForce(on: today ?? CalendarDate(Date(), in: .europeLondon)) }.flatMap {
                Tier(rawValue: $0.tier)
            }
        let rates = try await RateStore(pool: pool).table()
        return try await pool.withConnection { connection in
            let latest = try await PendingReturn.load(
                where: """
                    r.employer_id = \(employerID)
                    AND r.period = (SELECT max(period) FROM returns WHERE employer_id = \(employerID))
                    """, on: connection
            ).first
            guard var item = latest,
                let version = try await CharterVersionStore.version(id: item.charterVersionID, on: connection)
            else {
                return ReadinessReport(
                    employerID: employerID, currentTier: tierToday, period: nil, returnVersion: nil,
                    charterVersion: nil,
                    breaches: [], problem: nil)
            }
            item.tier = .accredited
            let holidays = try await BankHolidays.load(on: connection)
            let verdict = try await ReturnJudge.judge(
                [item], by: version, rates: rates, holidays: holidays, on: connection
            )
            .first
            var breaches: [Finding] = []
            var problem: String?
            switch verdict?.outcome {
            case .success(let findings):
                breaches = findings.filter { $0.severity >= .breach }.sorted {
                    ($0.standardID, $0.subject) < ($1.standardID, $1.subject)
                }
            case .failure(let failure): problem = failure.message
            case nil: problem = "the return could not be read"
            }
            return ReadinessReport(
                employerID: employerID, currentTier: tierToday, period: item.period, returnVersion: item.versionNumber,
                charterVersion: version.label, breaches: breaches, problem: problem)
        }
    }
}
