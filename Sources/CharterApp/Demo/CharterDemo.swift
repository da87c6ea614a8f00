public import CharterAccess
public import CharterDomain
import CharterStore
public import CharterUseCases
public import Foundation
public import PGClient

/// A realistic charter to look at in the first minute: employers from a Gender Pay Gap style file,
/// pledges at both tiers, two quarters of returns (clean employers and a spread of breaches, one
/// return missing), reps covering some employers, sign-ins for each role, and one nightly run.
///
/// Seeded once: a database that already holds employers is left alone, so running it again (or on a
/// real charter's database) changes nothing.
public enum CharterDemo {
    /// A sign-in the demo created, printed for the person trying it.
    public struct SignIn: Sendable, Hashable, Codable {
        public var role: String
        public var email: String
        public var password: String
        public var sees: String
    }

    /// What the demo put in the database.
    public struct Seeded: Sendable, Codable {
        public var employers: Int
        public var returns: Int
        public var flagsOpened: Int
        public var signIns: [SignIn]
    }

    /// What kind of employer each row of the file plays in the demo, by its position.
    enum Profile: CaseIterable {
        case clean
        /// Below the Real Living Wage, zero-hours without consent.
        case lowPayAndZeroHours
        /// Below the National Minimum Wage for some young workers: critical.
        case belowMinimumWage
        /// Hours that do not match the work, reviews overdue, short-notice shifts unpaid when cancelled.
        case insecureHours
        /// Agency workers not on equal terms; a cleaning contractor below the Real Living Wage.
        case agencyAndContractors
        /// Attestations missing or stale: sick pay from day one, flexible working, union access, equality audit.
        case missingAttestations
        /// No return for the last quarter.
        case missingReturn
    }

    /// The profile of the employer at `index` in the file: four clean ones, then each breach in turn.
    static func profile(at index: Int) -> Profile {
        let order: [Profile] = [
            .lowPayAndZeroHours, .clean, .missingAttestations, .agencyAndContractors, .clean, .insecureHours,
            .missingReturn, .lowPayAndZeroHours, .insecureHours, .clean, .missingAttestations, .clean,
            .belowMinimumWage, .clean,
        ]
        return order[index % order.count]
    }

    /// The demo's sign-ins. Printed by `charterctl demo`; they are for a demo database only.
    static let adminSignIn = SignIn(
        role: "admin", email: "charter.team@demo.example.org", password: "demo-charter-team", sees: "everything")

    /// Seeds the demo into an empty charter database and runs the nightly compliance once as of `today`.
    ///
    /// - Parameter gpgFile: the employers, in the Gender Pay Gap service's CSV format.
    /// - Returns: what was seeded, or nil when the database already holds employers.
    /// - Parameter reportQueue: queues the run's digests, as charterd's nightly run would (none without).
    public static func seedIfEmpty(
        pool: PGPool, gpgFile: Data, today: CalendarDate, hasher: PasswordHasher = PasswordHasher(),
        reportQueue: ReportQueue? = nil
    ) async throws -> Seeded? {
        let employers = EmployerStore(pool: pool)
        guard try await employers.count() == 0 else { return nil }
        let actor = "demo"
        let (records, report) = GPGImportReader.read(gpgFile)
        guard report.isAccepted, !records.isEmpty else {
            throw CharterStoreError(.invalid, "the demo's employer file is not a Gender Pay Gap CSV: \(report)")
        }
        _ = try await employers.upsert(records.map(Employer.init(gpg:)), actor: actor, source: "demo")
        let seeded = try await employers.namesByGPGOrder()

        let current = ReportingPeriod(containing: today)
        let periods = [current.previous.previous, current.previous]
        let pledges = PledgeStore(pool: pool)
        let returns = ReturnStore(pool: pool)
        var returnCount = 0
        for (index, employer) in seeded.enumerated() {
            let profile = profile(at: index)
            _ = try await employers.addContact(
                employerID: employer.id, name: "Payroll team", email: "payroll+\(employer.id)@demo.example.org",
                role: "payroll", actor: actor)
            _ = try await pledges.add(
                employerID: employer.id, tier: index.isMultiple(of: 2) ? .accredited : .aspiring,
                livingHours: index % 3 == 0, overrides: PledgeOverrides(),
                validFrom: periods[0].firstDay, validTo: nil, actor: actor)
            for period in periods {
                if profile == .missingReturn && period == periods[1] { continue }
                var generator = DemoRandom(seed: UInt64(employer.id) &* 31 &+ UInt64(period.quarter))
                let lines = workerLines(profile, period: period, random: &generator)
                let header = header(profile, period: period, headcount: lines.count - 1)
                // Received before the 30-day due date, as most are; one employer's last return came late.
                let late = profile == .missingAttestations && period == periods[1] && index > 5
                let received = period.snapshot.adding(days: late ? 36 : 12 + generator.next(10))
                let outcome = try await returns.submit(
                    ReturnSubmission(
                        employerID: employer.id, period: period, submittedBy: "demo payroll export", header: header,
                        receivedAt: received.start(in: .europeLondon).addingTimeInterval(10 * 3600)),
                    csv: AsyncStream<[UInt8]> { continuation in
                        continuation.yield(Array((lines.joined(separator: "\r\n") + "\r\n").utf8))
                        continuation.finish()
                    })
                if case .rejected(let report) = outcome {
                    throw CharterStoreError(
                        .invalid, "the demo's \(period) return for \(employer.name) is invalid: \(report)")
                }
                returnCount += 1
            }
        }

        // Two reps, each covering some employers (neither covers them all), and a sign-in per role.
        let reps = RepStore(pool: pool)
        let ids = seeded.map(\.id)
        let unite = try await reps.add(
            name: "Siân Roberts", email: "sian.roberts@demo.example.org", unionName: "Unite",
            covers: Array(ids.prefix(8)), actor: actor)
        let gmb = try await reps.add(
            name: "Tomasz Nowak", email: "tomasz.nowak@demo.example.org", unionName: "GMB",
            covers: Array(ids.suffix(7)), actor: actor)
        let users = UserStore(pool: pool, hasher: hasher)
        let employerSignIn = SignIn(
            role: "employer", email: "hr@demo.example.org", password: "demo-employer-hr", sees: seeded[0].name)
        let repSignIn = SignIn(
            role: "rep", email: unite.email, password: "demo-union-rep", sees: "the 8 employers Siân Roberts covers")
        let gmbSignIn = SignIn(
            role: "rep", email: gmb.email, password: "demo-union-rep", sees: "the 7 employers Tomasz Nowak covers")
        _ = try await users.create(
            email: adminSignIn.email, displayName: "Charter Team", role: .admin, employerID: nil, repID: nil,
            password: adminSignIn.password, by: actor)
        _ = try await users.create(
            email: employerSignIn.email, displayName: "HR at \(seeded[0].name)", role: .employer,
            employerID: seeded[0].id, repID: nil, password: employerSignIn.password, by: actor)
        _ = try await users.create(
            email: repSignIn.email, displayName: unite.name, role: .rep, employerID: nil, repID: unite.id,
            password: repSignIn.password, by: actor)
        _ = try await users.create(
            email: gmbSignIn.email, displayName: gmb.name, role: .rep, employerID: nil, repID: gmb.id,
            password: gmbSignIn.password, by: actor)

        let run = try await NightlyCompliance(pool: pool, reportQueue: reportQueue).run(asOf: today, actor: actor)
        return Seeded(
            employers: seeded.count, returns: returnCount, flagsOpened: run.counts["flags_opened"] ?? 0,
            signIns: [adminSignIn, repSignIn, gmbSignIn, employerSignIn])
    }

    // MARK: Returns

    static let columns = [
        "worker_ref", "employment_type", "contract_type", "age_band", "apprentice_first_year", "workplace_london",
        "hourly_rate", "overtime_rate", "contracted_hours", "avg_actual_hours_12w", "zhc_by_request",
        "fewer_hours_by_request", "start_date", "last_hours_review", "guaranteed_hours_offered", "shifts_scheduled",
        "shifts_short_notice", "shifts_cancelled_short_notice", "shifts_cancelled_paid", "agency_parity", "sex",
    ]

    /// The CSV (header row first) of a return for `profile`: 30 to 45 workers.
    static func workerLines(_ profile: Profile, period: ReportingPeriod, random: inout DemoRandom) -> [String] {
        let snapshot = period.snapshot
        let count = 30 + random.next(15)
        var lines = [columns.joined(separator: ",")]
        for number in 1...count {
            var employment = "direct"
            var contract = "permanent"
            var age = "21_plus"
            var rate = 13.60 + Double(random.next(300)) / 100
            var contracted = [37.5, 30, 24, 20][random.next(4)]
            var actual = contracted + Double(random.next(20)) / 10
            var zhcByRequest = "no"
            var review = snapshot.adding(days: -30 - random.next(60)).description
            var scheduled = 60 + random.next(20)
            var shortNotice = random.next(2)
            var cancelled = random.next(2)
            var cancelledPaid = cancelled
            var parity = ""
            let started = snapshot.adding(days: -200 - random.next(1_500))
            switch profile {
            case .clean, .missingAttestations, .missingReturn:
                break
            case .lowPayAndZeroHours:
                // Above the minimum wage (£12.71 from April 2026), below the Real Living Wage (£13.45).
                if number % 4 == 0 { rate = 12.80 + Double(random.next(60)) / 100 }
                if number % 5 == 0 {
                    contract = "zero_hours"
                    contracted = 0
                    actual = Double(8 + random.next(20))
                    zhcByRequest = number % 10 == 0 ? "yes" : "no"
                }
            case .belowMinimumWage:
                if number % 6 == 0 {
                    age = "18"
                    rate = 9.80
                }
            case .insecureHours:
                if number % 3 == 0 {
                    contracted = 12
                    actual = 26 + Double(random.next(8))
                    review = ""
                }
                shortNotice = 6 + random.next(6)
                cancelled = 2 + random.next(3)
                cancelledPaid = 0
                scheduled = 50
            case .agencyAndContractors:
                if number % 3 == 0 {
                    employment = "agency"
                    parity = number % 6 == 0 ? "yes" : "no"
                }
            }
            let fields = [
                String(format: "W%04d", number), employment, contract, age, "no", "no", String(format: "%.2f", rate),
                "",
                String(format: "%.1f", contracted), String(format: "%.1f", actual), zhcByRequest, "no",
                started.description, review, "", "\(scheduled)", "\(shortNotice)", "\(cancelled)", "\(cancelledPaid)",
                parity, number.isMultiple(of: 2) ? "female" : "male",
            ]
            lines.append(fields.joined(separator: ","))
        }
        return lines
    }

    /// The JSON header of a return for `profile`.
    static func header(_ profile: Profile, period: ReportingPeriod, headcount: Int) -> Data {
        let snapshot = period.snapshot
        let recent = snapshot.adding(days: -90).description
        var attestations: [String: Any] = [
            "hs_policy_reviewed_on": recent, "equality_audit_on": recent, "union_right_notice_on": recent,
            "recognition_agreement": true, "union_requests": [] as [Any], "sick_pay_waiting_days": 0,
            "flexible_working_day_one": true, "apprentices": 2, "work_placements": 1,
            "rlw_plan_target": snapshot.adding(days: 180).description,
        ]
        var contractors: [[String: Any]] = [
            [
                "supplier": "Brightclean Ltd", "service": "cleaning", "workers": 6, "hours_per_day": 3,
                "consecutive_weeks": 52, "rlw_paid": true,
            ]
        ]
        switch profile {
        case .missingAttestations:
            attestations["sick_pay_waiting_days"] = 3
            attestations["flexible_working_day_one"] = false
            attestations["union_right_notice_on"] = NSNull()
            attestations["equality_audit_on"] = snapshot.adding(days: -500).description
            attestations["union_requests"] = [
                [
                    "received_on": snapshot.adding(days: -40).description,
                    "replied_on": snapshot.adding(days: -20).description,
                ]
            ]
        case .agencyAndContractors:
            contractors[0]["rlw_paid"] = false
        case .lowPayAndZeroHours:
            // A plan to reach the Real Living Wage, but not within the charter's 24 months.
            attestations["rlw_plan_target"] = snapshot.adding(days: 1_200).description
        default:
            break
        }
        let document: [String: Any] = [
            "period": period.description, "headcount": headcount, "attestations": attestations,
            "contractors": contractors,
        ]
        // Only literals above: serialisation cannot fail.
        return (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])) ?? Data()
    }
}

/// A small deterministic generator (SplitMix64), so the demo is the same on every machine.
struct DemoRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// A number in 0..<bound.
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Int(z % UInt64(bound))
    }
}
