import Foundation

extension ReturnFigures {
    /// The figures of `lines`, computed in Swift exactly as `ReturnFigures`' field documentation says.
    ///
    /// A submission works them out this way as its lines stream in (`Tally`) and keeps them with the
    /// version; where none are kept for the criteria asked for, the store works them out in SQL, which is
    /// checked against this reference. A line's tenure is *S* − `start_date`.
    public init(lines: some Sequence<WorkerLine>, criteria: Criteria) {
        var tally = Tally(criteria: criteria)
        for line in lines { tally.add(line) }
        self = tally.figures
    }

    /// The figures of lines as they stream past, one at a time, in memory that does not grow with the
    /// lines (each group keeps its first 100 references): what a submission works out while it stores a
    /// return, so the nightly run need not read the lines again.
    public struct Tally: Sendable {
        public let criteria: Criteria
        private var direct = 0
        private var directZeroHours = 0
        private var minimumWage = GroupBuilder()
        private var realLivingWage = GroupBuilder()
        private var upcoming = GroupBuilder()
        private var withoutConsent = GroupBuilder()
        private var livingHours = GroupBuilder()
        private var notReflected = GroupBuilder()
        private var reviewOverdue = GroupBuilder()
        private var agency = GroupBuilder()
        private var scheduled = 0
        private var shortNotice = 0
        private var cancelled = 0
        private var cancelledPaid = 0

        public init(criteria: Criteria) {
            self.criteria = criteria
        }

        public mutating func add(_ line: WorkerLine) {
            let criteria = self.criteria
            scheduled += line.shiftsScheduled
            shortNotice += line.shiftsShortNotice
            cancelled += line.shiftsCancelledShortNotice
            cancelledPaid += line.shiftsCancelledPaid
            if line.employmentType == .agency, line.startDate < criteria.agencyParityIfStartedBefore,
                line.agencyParity == false
            {
                agency.add(line.workerRef)
            }
            guard line.employmentType == .direct else { return }
            direct += 1
            // least(hourly_rate, overtime_rate): below a rate when either is.
            let paid = min(line.hourlyRate, line.overtimeRate ?? line.hourlyRate)
            let isZeroHours = line.contractType == .zeroHours
            if isZeroHours { directZeroHours += 1 }

            let apprenticeRate =
                line.contractType == .apprentice
                && (line.ageBand == .under18 || line.ageBand == .eighteen || line.apprenticeFirstYear)
            if let rate = criteria.minimumWage[apprenticeRate ? .apprentice : line.ageBand.minimumWageBand],
                paid < rate
            {
                minimumWage.add(line.workerRef, paid: paid, shortfall: rate - paid)
            }
            if line.ageBand.isAdult, !criteria.excludedContractTypes.contains(line.contractType.rawValue) {
                let rate = criteria.realLivingWage.rate(london: line.workplaceLondon)
                if paid < rate { realLivingWage.add(line.workerRef, paid: paid, shortfall: rate - paid) }
                if let next = criteria.upcomingRealLivingWage?.rate(london: line.workplaceLondon), paid < next {
                    upcoming.add(line.workerRef, paid: paid, shortfall: next - paid)
                }
            }
            if isZeroHours, !line.zhcByRequest { withoutConsent.add(line.workerRef) }
            if line.contractedHours < criteria.livingHoursMinimum, !line.fewerHoursByRequest, !line.zhcByRequest {
                livingHours.add(line.workerRef)
            }
            let offerCounts = line.guaranteedHoursOffered.map {
                criteria.offerWindowStart <= $0 && $0 <= criteria.snapshot
            }
            if line.startDate <= criteria.reflectStartedOnOrBefore, let actual = line.avgActualHours12w,
                actual - line.contractedHours >= criteria.reflectMarginHours, offerCounts != true
            {
                notReflected.add(line.workerRef)
            }
            if isZeroHours || line.contractedHours < criteria.reviewLowHoursThreshold {
                let overdue =
                    line.lastHoursReview.map { $0 < criteria.reviewOverdueIfLastBefore }
                    ?? (line.startDate < criteria.firstReviewDueIfStartedBefore)
                if overdue { reviewOverdue.add(line.workerRef) }
            }
        }

        /// The figures of the lines added so far.
        public var figures: ReturnFigures {
            ReturnFigures(
                directWorkers: direct, directZeroHours: directZeroHours, belowMinimumWage: minimumWage.group,
                belowRealLivingWage: realLivingWage.group,
                belowUpcomingRealLivingWage: criteria.upcomingRealLivingWage == nil ? nil : upcoming.group,
                zeroHoursWithoutConsent: withoutConsent.group, belowLivingHours: livingHours.group,
                hoursNotReflected: notReflected.group, reviewOverdue: reviewOverdue.group,
                agencyWithoutParity: agency.group, shiftsScheduled: scheduled, shiftsShortNotice: shortNotice,
                shiftsCancelledShortNotice: cancelled, shiftsCancelledPaid: cancelledPaid)
        }
    }
}

/// Collects one `WorkerGroup` line by line, keeping only the references the group will name.
private struct GroupBuilder: Sendable {
    var count = 0
    var refs: [String] = []
    var lowest: Decimal?
    var shortfall: Decimal?

    mutating func add(_ ref: String, paid: Decimal? = nil, shortfall gap: Decimal? = nil) {
        count += 1
        refs.append(ref)
        // Cut back to the first 100 now and then: memory stays bounded however many lines match.
        if refs.count >= 4 * WorkerGroup.maximumRefs { keepFirst() }
        if let paid { lowest = min(lowest ?? paid, paid) }
        if let gap { shortfall = max(shortfall ?? gap, gap) }
    }

    private mutating func keepFirst() {
        refs = Array(refs.sorted().prefix(WorkerGroup.maximumRefs))
    }

    var group: WorkerGroup {
        // Worker refs are ASCII, where String order is byte order, as COLLATE "C" sorts them.
        WorkerGroup(
            count: count, workerRefs: Array(refs.sorted().prefix(WorkerGroup.maximumRefs)), lowestRate: lowest,
            largestShortfall: shortfall)
    }
}
