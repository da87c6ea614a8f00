import Foundation

extension Evidence {
    /// The evidence as "Label: value" lines for a report, in a fixed order so two reports of the same
    /// facts read (and digest) the same.
    ///
    /// Only what is present is listed. Apply `forReps()` first for a rep's report: the lines show
    /// whatever the value holds, so suppression must already have happened.
    public var reportLines: [String] {
        var lines: [String] = []
        func add(_ label: String, _ value: (some CustomStringConvertible)?) {
            if let value { lines.append("\(label): \(value)") }
        }
        add("Workers affected", workers)
        add("Direct workers", directWorkers)
        add("Headcount", headcount)
        add("Lowest hourly rate", lowestRate)
        add("Rate in force", rateInForce)
        add("London rate in force", londonRateInForce)
        add("Rate year", rateYear)
        add("Largest shortfall per hour", largestShortfallPerHour)
        add("Share (%)", sharePercent)
        add("Previous share (%)", previousSharePercent)
        add("Shifts scheduled", shiftsScheduled)
        add("Shifts at short notice", shiftsShortNotice)
        add("Shifts cancelled at short notice", shiftsCancelledShortNotice)
        add("Of those, paid", shiftsCancelledPaid)
        add("Due date", dueDate)
        if let contracts, !contracts.isEmpty { add("Contracts concerned", contracts.count) }
        if let workerRefs, !workerRefs.isEmpty { add("Worker refs", workerRefs.joined(separator: ", ")) }
        add("Charter version", charterVersionLabel)
        add("Return version", returnVersionNumber)
        return lines
    }
}
