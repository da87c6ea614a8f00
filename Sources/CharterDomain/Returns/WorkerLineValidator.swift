import Foundation

/// Checks worker lines one record at a time, as they stream out of the CSV parser (or out of a
/// JSON return), collecting every error and the plausibility warnings of SPEC §3.
///
/// Memory stays flat apart from what duplicate detection and the median need: the references
/// seen and one 4-byte rate per line.
public struct WorkerLineValidator: Sendable {
    public let snapshot: CalendarDate
    private var columnIndex: [WorkerLineColumn: Int] = [:]
    private var headerWidth = 0
    private var lineOfReference: [String: Int32] = [:]
    /// Hourly rates in ten-thousandths of a pound: exact for the 4 decimal places a rate may have.
    private var rateTenThousandths: [Int32] = []
    private var rateLines: [Int32] = []
    private var blankActualHours = 0
    public private(set) var acceptedLines = 0
    public private(set) var linesSeen = 0
    /// False when the header row had errors: the lines cannot then be read column by column.
    public private(set) var headerAccepted = true

    /// Reads the header row: unknown or repeated columns are errors; missing required ones are one error.
    ///
    /// `expectedLines` (the header's headcount) sizes the tables up front, so a large return does
    /// not briefly hold two copies of them while they grow.
    public init(
        header: CSVRecord, snapshot: CalendarDate, expectedLines: Int? = nil, report: inout ValidationReport
    ) {
        self.snapshot = snapshot
        if let expectedLines, expectedLines > 0 {
            let capacity = min(expectedLines + expectedLines / 20, 5_000_000)
            lineOfReference.reserveCapacity(capacity)
            rateTenThousandths.reserveCapacity(capacity)
            rateLines.reserveCapacity(capacity)
        }
        headerWidth = header.fields.count
        var unknown: [String] = []
        for (position, raw) in header.fields.enumerated() {
            let name = raw.trimmingSpaces.lowercased()
            guard let column = WorkerLineColumn(rawValue: name) else {
                unknown.append(raw)
                report.error(
                    line: header.line, column: raw.excerpt(),
                    "\"\(raw.excerpt())\" is not a worker-line column; the columns are "
                        + WorkerLineColumn.allCases.map(\.rawValue).joined(separator: ", "))
                continue
            }
            if columnIndex[column] != nil {
                report.error(line: header.line, column: name, "the column \(name) appears twice in the header")
            }
            columnIndex[column] = position
        }
        let missing = WorkerLineColumn.allCases.filter { $0.isRequired && columnIndex[$0] == nil }
        headerAccepted = unknown.isEmpty && missing.isEmpty && columnIndex.count == header.fields.count
        if !missing.isEmpty {
            report.error(
                line: header.line,
                "the header row is missing required column\(missing.count == 1 ? "" : "s"): "
                    + missing.map(\.rawValue).joined(separator: ", "))
        }
    }

    /// Counts a record without checking it (its line could not be read, or the header was wrong).
    public mutating func skip(_ record: CSVRecord) {
        linesSeen += 1
    }

    /// Validates one data record; returns the worker line when it has no errors.
    public mutating func validate(_ record: CSVRecord, report: inout ValidationReport) -> WorkerLine? {
        linesSeen += 1
        guard record.fields.count == headerWidth else {
            report.error(
                line: record.line,
                "this line has \(record.fields.count) value\(record.fields.count == 1 ? "" : "s") but the header has"
                    + " \(headerWidth) columns; check for a missing or extra comma")
            return nil
        }
        var fields = FieldReader(record: record, columnIndex: columnIndex)
        let workerRef = fields.text(.workerRef)
        if workerRef.isEmpty {
            fields.fail(.workerRef, "worker_ref is blank; every line needs the worker's pseudonymous reference")
        } else if !Self.isValidReference(workerRef) {
            fields.fail(
                .workerRef,
                "worker_ref \"\(workerRef.excerpt())\" may only use letters, digits, '.', '_' and '-' (1 to 64 characters)"
            )
        } else if Self.looksLikeNationalInsuranceNumber(workerRef) {
            fields.fail(
                .workerRef,
                "worker_ref \"\(workerRef.excerpt())\" looks like a National Insurance number; use a pseudonymous reference instead"
            )
        } else if let first = lineOfReference[workerRef] {
            fields.fail(
                .workerRef,
                "worker_ref \"\(workerRef.excerpt())\" is also used on line \(first); each worker appears once")
        } else {
            lineOfReference[workerRef] = Int32(clamping: record.line)
        }
        let employment: EmploymentType? = fields.choice(.employmentType)
        let contract: ContractType? = fields.choice(.contractType)
        let ageBand: AgeBand? = fields.choice(.ageBand)
        let london = fields.bool(.workplaceLondon, required: true)
        let firstYear = fields.bool(.apprenticeFirstYear, required: contract == .apprentice)
        let zhcByRequest = fields.bool(.zhcByRequest, required: contract == .zeroHours)
        let fewerHours = fields.bool(.fewerHoursByRequest, required: false)
        let hourlyRate = fields.money(.hourlyRate, required: true)
        let overtimeRate = fields.money(.overtimeRate, required: false)
        let contracted = fields.hours(.contractedHours, required: true)
        let actual = fields.hours(.avgActualHours12w, required: false)
        let startDate = fields.date(.startDate, required: true)
        let lastReview = fields.date(.lastHoursReview, required: false)
        let offered = fields.date(.guaranteedHoursOffered, required: false)
        let scheduled = fields.count(.shiftsScheduled)
        let shortNotice = fields.count(.shiftsShortNotice)
        let cancelled = fields.count(.shiftsCancelledShortNotice)
        let cancelledPaid = fields.count(.shiftsCancelledPaid)
        let parity = fields.bool(.agencyParity, required: false)
        let sex: Sex? = fields.text(.sex).isEmpty ? nil : fields.choice(.sex)

        if let cancelled, let cancelledPaid, cancelledPaid > cancelled {
            fields.fail(
                .shiftsCancelledPaid,
                "shifts_cancelled_paid (\(cancelledPaid)) is more than shifts_cancelled_short_notice (\(cancelled));"
                    + " only shifts cancelled at short notice can be paid as cancelled")
        }
        if contract == .zeroHours, let contracted, contracted != 0 {
            fields.fail(
                .contractedHours,
                "contracted_hours is \(contracted) but a zero_hours contract guarantees no hours; enter 0")
        }
        report.record(fields.errors)

        // Plausibility: accepted, but worth a second look.
        if let scheduled, let shortNotice, shortNotice > scheduled {
            report.warning(
                line: record.line, column: WorkerLineColumn.shiftsShortNotice.rawValue,
                "shifts_short_notice (\(shortNotice)) is more than shifts_scheduled (\(scheduled))")
        }
        if let startDate, startDate > snapshot {
            report.warning(
                line: record.line, column: WorkerLineColumn.startDate.rawValue,
                "start_date \(startDate) is after the snapshot date \(snapshot)")
        }
        if contract == .apprentice, firstYear == true, let startDate, startDate < snapshot.adding(months: -12) {
            report.warning(
                line: record.line, column: WorkerLineColumn.apprenticeFirstYear.rawValue,
                "the apprentice is marked first-year but started on \(startDate), over a year before the snapshot")
        }
        if let hourlyRate {
            rateTenThousandths.append(Int32(clamping: NSDecimalNumber(decimal: hourlyRate * 10_000).intValue))
            rateLines.append(Int32(clamping: record.line))
        }
        if actual == nil && fields.text(.avgActualHours12w).isEmpty { blankActualHours += 1 }

        guard fields.errors.isEmpty, let employment, let contract, let ageBand, let london, let hourlyRate,
            let contracted, let startDate, let scheduled, let shortNotice, let cancelled, let cancelledPaid
        else { return nil }
        acceptedLines += 1
        return WorkerLine(
            workerRef: workerRef, employmentType: employment, contractType: contract, ageBand: ageBand,
            apprenticeFirstYear: firstYear ?? false, workplaceLondon: london, hourlyRate: hourlyRate,
            overtimeRate: overtimeRate, contractedHours: contracted, avgActualHours12w: actual,
            zhcByRequest: zhcByRequest ?? false, fewerHoursByRequest: fewerHours ?? false, startDate: startDate,
            lastHoursReview: lastReview, guaranteedHoursOffered: offered, shiftsScheduled: scheduled,
            shiftsShortNotice: shortNotice, shiftsCancelledShortNotice: cancelled,
            shiftsCancelledPaid: cancelledPaid, agencyParity: parity, sex: sex)
    }

    /// The whole-return plausibility warnings, once every line has been seen.
    public func finish(headcount: Int?, report: inout ValidationReport) {
        if let headcount, headcount > 0 {
            let difference = abs(Double(linesSeen - headcount)) / Double(headcount)
            if difference > 0.05 {
                report.warning(
                    column: "headcount",
                    "the header's headcount is \(headcount) but the return has \(linesSeen) worker lines"
                        + " (\(Int((difference * 100).rounded())) % apart)")
            }
        } else if headcount == 0, linesSeen > 0 {
            report.warning(
                column: "headcount", "the header's headcount is 0 but the return has \(linesSeen) worker lines")
        }
        if linesSeen > 0, Double(blankActualHours) / Double(linesSeen) > 0.20 {
            report.warning(
                column: WorkerLineColumn.avgActualHours12w.rawValue,
                "avg_actual_hours_12w is blank on \(blankActualHours) of \(linesSeen) lines (more than 20 %)")
        }
        if !rateTenThousandths.isEmpty {
            let sorted = rateTenThousandths.sorted()
            let median = sorted[sorted.count / 2]
            if median > 0 {
                let outliers = rateLines.indices.filter { Int64(rateTenThousandths[$0]) >= Int64(median) * 100 }
                if !outliers.isEmpty {
                    let lines = outliers.prefix(20).map { String(rateLines[$0]) }.joined(separator: ", ")
                    report.warning(
                        column: WorkerLineColumn.hourlyRate.rawValue,
                        "\(outliers.count) hourly rate\(outliers.count == 1 ? " is" : "s are") 100 times the median"
                            + " or more (lines \(lines)); were pence entered as pounds?")
                }
            }
        }
    }

    static func isValidReference(_ text: String) -> Bool {
        let bytes = text.utf8
        guard (1...64).contains(bytes.count) else { return false }
        return bytes.allSatisfy { b in
            (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 46 || b == 95 || b == 45
        }
    }

    /// Two letters, six digits, a letter A–D: the shape of a National Insurance number.
    static func looksLikeNationalInsuranceNumber(_ text: String) -> Bool {
        let b = Array(text.uppercased().utf8)
        guard b.count == 9 else { return false }
        let letter = { (c: UInt8) in c >= 65 && c <= 90 }
        let digit = { (c: UInt8) in c >= 48 && c <= 57 }
        return letter(b[0]) && letter(b[1]) && b[2..<8].allSatisfy(digit) && (65...68).contains(b[8])
    }
}

extension ValidationReport {
    mutating func record(_ issues: [ReturnIssue]) {
        for issue in issues { error(line: issue.line, column: issue.column, issue.message) }
    }
}
