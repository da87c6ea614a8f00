import CharterDomain
import Foundation

extension WorkerLine {
    /// The `worker_lines` columns after `return_version_id` and `line_no`, in COPY order.
    static let contentColumns = [
        "worker_ref", "employment_type", "contract_type", "age_band", "apprentice_first_year", "workplace_london",
        "hourly_rate", "overtime_rate", "contracted_hours", "avg_actual_hours_12w", "zhc_by_request",
        "fewer_hours_by_request", "start_date", "last_hours_review", "guaranteed_hours_offered", "shifts_scheduled",
        "shifts_short_notice", "shifts_cancelled_short_notice", "shifts_cancelled_paid", "agency_parity", "sex",
    ]

    /// The line's content as tab-separated COPY text (no ids, no line break).
    ///
    /// Every value is normalised (booleans as t/f, numbers without trailing zeros), so the same
    /// worker reads the same however the payroll system spelled it; the content hash of a
    /// version is taken over these bytes. No value can hold a tab, newline or backslash: the
    /// validator admits none, so nothing needs escaping.
    ///
    /// `decimals` remembers the text of the rates and hours already written: they repeat from line to line,
    /// and `Decimal.description` cost more than the rest of a line's text together (a sixth of a
    /// million-line submission's CPU). Equal decimals have one text, so the bytes are the same.
    func appendCopyText(to out: inout [UInt8], decimals: inout DecimalTextCache) {
        func text(_ value: String) { out.append(contentsOf: value.utf8) }
        func tab() { out.append(9) }
        func null() { out.append(contentsOf: [92, 78]) }  // \N
        func bool(_ value: Bool) { out.append(value ? 116 : 102) }
        func bool(_ value: Bool?) { if let value { bool(value) } else { null() } }
        func decimal(_ value: Decimal?) {
            if let value { decimals.append(value, to: &out) } else { null() }
        }
        func date(_ value: CalendarDate?) {
            guard let value else { return null() }
            guard (0...9999).contains(value.year) else { return text(value.description) }
            // YYYY-MM-DD, as `CalendarDate.description` writes it, without the strings.
            for digit in [value.year / 1000, value.year / 100 % 10, value.year / 10 % 10, value.year % 10] {
                out.append(48 + UInt8(digit))
            }
            out.append(45)
            out.append(48 + UInt8(value.month / 10))
            out.append(48 + UInt8(value.month % 10))
            out.append(45)
            out.append(48 + UInt8(value.day / 10))
            out.append(48 + UInt8(value.day % 10))
        }
        func int(_ value: Int) { text(String(value)) }

        text(workerRef)
        tab()
        text(employmentType.rawValue)
        tab()
        text(contractType.rawValue)
        tab()
        text(ageBand.rawValue)
        tab()
        bool(apprenticeFirstYear)
        tab()
        bool(workplaceLondon)
        tab()
        decimal(hourlyRate)
        tab()
        decimal(overtimeRate)
        tab()
        decimal(contractedHours)
        tab()
        decimal(avgActualHours12w)
        tab()
        bool(zhcByRequest)
        tab()
        bool(fewerHoursByRequest)
        tab()
        date(startDate)
        tab()
        date(lastHoursReview)
        tab()
        date(guaranteedHoursOffered)
        tab()
        int(shiftsScheduled)
        tab()
        int(shiftsShortNotice)
        tab()
        int(shiftsCancelledShortNotice)
        tab()
        int(shiftsCancelledPaid)
        tab()
        bool(agencyParity)
        tab()
        if let sex { text(sex.rawValue) } else { null() }
    }
}

/// The COPY text of decimals already written in a submission, by value; at most 4,096 are kept.
struct DecimalTextCache {
    private var texts: [Decimal: [UInt8]] = [:]

    mutating func append(_ value: Decimal, to out: inout [UInt8]) {
        if let known = texts[value] {
            out.append(contentsOf: known)
            return
        }
        let text = Array(value.description.utf8)
        if texts.count >= 4_096 { texts.removeAll(keepingCapacity: true) }
        texts[value] = text
        out.append(contentsOf: text)
    }
}
