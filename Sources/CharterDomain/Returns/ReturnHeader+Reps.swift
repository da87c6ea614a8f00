extension ReturnHeader {
    /// A return's header as union reps see it (SPEC §4): the period and attestations as sent, the
    /// headcount and each contract's workers as worker counts, 1–4 reading "fewer than 5" as in evidence.
    /// The JSON has the header's names and shape.
    public struct ForReps: Sendable, Hashable, Encodable {
        public var period: ReportingPeriod
        public var headcount: WorkerCount
        public var attestations: Attestations
        public var contractors: [ContractFigure]
    }

    /// The header as union reps see it; the employer and the charter team see `self`.
    public func forReps() -> ForReps {
        ForReps(
            period: period, headcount: WorkerCount.exact(headcount).suppressed, attestations: attestations,
            contractors: contractors.map { contractor in
                var figure = ContractFigure(contractor)
                figure.workers = figure.workers.suppressed
                return figure
            })
    }
}
