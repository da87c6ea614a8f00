/// The charter team's weekly summary, ending with the audit chain's head so a printed copy can be
/// checked against `charterctl audit verify` later.
public struct WeeklySummary: Sendable, Hashable, Codable {
    /// A count under a label, e.g. ("breach", 12).
    public struct Count: Sendable, Hashable, Codable {
        public var label: String
        public var count: Int

        public init(label: String, count: Int) {
            self.label = label
            self.count = count
        }
    }

    /// A return that was due and has not arrived.
    public struct MissingReturn: Sendable, Hashable, Codable {
        public var employerID: Int64
        public var employerName: String
        public var due: DueReturn

        public init(employerID: Int64, employerName: String, due: DueReturn) {
            self.employerID = employerID
            self.employerName = employerName
            self.due = due
        }
    }

    public var recipients: [ReportRecipient]
    /// The Monday the week ends before (the job's date), Europe/London.
    public var weekEnding: CalendarDate
    public var employersPledged: Int
    public var returnsReceivedThisWeek: Int
    public var flagsOpenedThisWeek: Int
    public var flagsClearedThisWeek: Int
    public var openFlagsBySeverity: [Count]
    public var flagsByState: [Count]
    public var missingReturns: [MissingReturn]
    /// Hex SHA-256 of the newest audit row, and how many rows the chain holds.
    public var auditChainHead: String
    public var auditRows: Int
    /// The charter's headline outcomes (SPEC §11) of the latest counted period, in full, with their
    /// change since the period before; nil when no return has been counted.
    public var outcomes: OutcomesHeadline?

    /// The headline outcome figures as the weekly summary carries them.
    public struct OutcomesHeadline: Sendable, Hashable, Codable {
        public var period: String
        /// The period the changes are measured from; nil when there is none with returns.
        public var previousPeriod: String?
        public var lines: [OutcomeSummary.Line]

        public init(period: String, previousPeriod: String?, lines: [OutcomeSummary.Line]) {
            self.period = period
            self.previousPeriod = previousPeriod
            self.lines = lines
        }

        /// The headline of `report`: its region's headline figures against the period before.
        public init(_ report: OutcomesReport) {
            self.init(
                period: report.period.description, previousPeriod: report.previous?.period.description,
                lines: OutcomeSummary.headline(report.current.region, previous: report.previous?.region))
        }
    }

    public init(
        recipients: [ReportRecipient], weekEnding: CalendarDate, employersPledged: Int, returnsReceivedThisWeek: Int,
        flagsOpenedThisWeek: Int, flagsClearedThisWeek: Int, openFlagsBySeverity: [Count], flagsByState: [Count],
        missingReturns: [MissingReturn], auditChainHead: String, auditRows: Int
    ) {
        self.recipients = recipients
        self.weekEnding = weekEnding
        self.employersPledged = employersPledged
        self.returnsReceivedThisWeek = returnsReceivedThisWeek
        self.flagsOpenedThisWeek = flagsOpenedThisWeek
        self.flagsClearedThisWeek = flagsClearedThisWeek
        self.openFlagsBySeverity = openFlagsBySeverity
        self.flagsByState = flagsByState
        self.missingReturns = missingReturns
        self.auditChainHead = auditChainHead
        self.auditRows = auditRows
    }
}
