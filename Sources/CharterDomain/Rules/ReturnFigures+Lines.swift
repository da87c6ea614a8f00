import Foundation

extension ReturnFigures {
    /// The figures of `lines`, computed in Swift exactly as `ReturnFigures`' field documentation says.
    ///
    /// The store computes them in SQL for speed; this is the reference that SQL is checked against,
    /// and what previews and tests of a handful of lines use. A line's tenure is *S* − `start_date`.
    public init(lines: some Sequence<WorkerLine>, criteria: Criteria) {
        var direct = 0
        var directZeroHours = 0
        var minimumWage = GroupBuilder()
        var realLivingWage = GroupBuilder()
        var upcoming = GroupBuilder()
        var withoutConsent = GroupBuilder()
        var livingHours = GroupBuilder()
        var notReflected = GroupBuilder()
        var reviewOverdue = GroupBuilder()
        var agency = GroupBuilder()
        var scheduled = 0
        var shortNotice = 0
        var cancelled = 0
        var cancelledPaid = 0
        let snapshot = criteria.snapshot

        for line in lines {
            scheduled += line.shiftsScheduled
            shortNotice += line.shiftsShortNotice
            cancelled += line.shiftsCancelledShortNotice
            cancelledPaid += line.shiftsCancelledPaid
            // least(hourly_rate, overtime_rate): below a rate when either is.
            let paid = min(line.hourlyRate, line.overtimeRate ?? line.hourlyRate)
            let isZeroHours = line.contractType == .zeroHours

            if line.employmentType == .agency, line.startDate < criteria.agencyParityIfStartedBefore,
                line.agencyParity == false
            {
                agency.add(line.workerRef)
            }
            guard line.employmentType == .direct else { continue }
            direct += 1
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
            let offerCounts = line.guaranteedHoursOffered.map { criteria.offerWindowStart <= $0 && $0 <= snapshot }
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
        self.init(
            directWorkers: direct, directZeroHours: directZeroHours, belowMinimumWage: minimumWage.group,
            belowRealLivingWage: realLivingWage.group,
            belowUpcomingRealLivingWage: criteria.upcomingRealLivingWage == nil ? nil : upcoming.group,
            zeroHoursWithoutConsent: withoutConsent.group, belowLivingHours: livingHours.group,
            hoursNotReflected: notReflected.group, reviewOverdue: reviewOverdue.group,
            agencyWithoutParity: agency.group, shiftsScheduled: scheduled, shiftsShortNotice: shortNotice,
            shiftsCancelledShortNotice: cancelled, shiftsCancelledPaid: cancelledPaid)
    }
}

/// Collects one `WorkerGroup` line by line.
private struct GroupBuilder {
    var refs: [String] = []
    var lowest: Decimal?
    var shortfall: Decimal?

    mutating func add(_ ref: String, paid: Decimal? = nil, shortfall gap: Decimal? = nil) {
        refs.append(ref)
        if let paid { lowest = min(lowest ?? paid, paid) }
        if let gap { shortfall = max(shortfall ?? gap, gap) }
    }

    var group: WorkerGroup {
        // Worker refs are ASCII, where String order is byte order, as COLLATE "C" sorts them.
        WorkerGroup(
            count: refs.count, workerRefs: Array(refs.sorted().prefix(WorkerGroup.maximumRefs)), lowestRate: lowest,
            largestShortfall: shortfall)
    }
}
