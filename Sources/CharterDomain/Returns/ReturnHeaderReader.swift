public import Foundation

/// Reads a return's JSON header, reporting every problem with the path of the field
/// (`attestations.sick_pay_waiting_days`, `contractors[2].workers`).
///
/// Blank attestations (`null`, `""` or absent) are recorded as missing and listed as
/// completeness warnings; they never become zero or false.
public enum ReturnHeaderReader {
    public static func read(json data: Data, report: inout ValidationReport) -> ReturnHeader? {
        guard let root = ReturnJSONReader.root(of: data, report: &report) else { return nil }
        return read(root, report: &report)
    }

    static func read(_ root: [String: Any], report: inout ValidationReport) -> ReturnHeader? {
        let errorsBefore = report.totalErrors
        for key in root.keys.sorted()
        where !["period", "headcount", "attestations", "contractors", "lines"].contains(key) {
            report.error(
                column: key.excerpt(),
                "\"\(key.excerpt())\" is not a field of a return (period, headcount, attestations, contractors, lines)")
        }
        var period: ReportingPeriod?
        if let text = root["period"] as? String, let parsed = ReportingPeriod(text) {
            period = parsed
        } else {
            report.error(column: "period", "period must be a quarter like \"2026-Q3\"")
        }
        let headcount = wholeNumber(root["headcount"], path: "headcount", required: true, report: &report)

        var attestations = Attestations()
        let raw = root["attestations"] as? [String: Any] ?? [:]
        if root["attestations"] != nil && !(root["attestations"] is [String: Any]) {
            report.error(column: "attestations", "attestations must be an object")
        }
        for key in raw.keys.sorted() where !Attestations.names.contains(key) {
            report.error(
                column: "attestations.\(key.excerpt())",
                "\"\(key.excerpt())\" is not an attestation; they are \(Attestations.names.joined(separator: ", "))")
        }
        attestations.hsPolicyReviewedOn = date(
            raw["hs_policy_reviewed_on"], path: "attestations.hs_policy_reviewed_on", report: &report)
        attestations.equalityAuditOn = date(
            raw["equality_audit_on"], path: "attestations.equality_audit_on", report: &report)
        attestations.unionRightNoticeOn = date(
            raw["union_right_notice_on"], path: "attestations.union_right_notice_on", report: &report)
        attestations.recognitionAgreement = bool(
            raw["recognition_agreement"], path: "attestations.recognition_agreement", report: &report)
        attestations.sickPayWaitingDays = wholeNumber(
            raw["sick_pay_waiting_days"], path: "attestations.sick_pay_waiting_days", required: false, maximum: 365,
            report: &report)
        attestations.flexibleWorkingDayOne = bool(
            raw["flexible_working_day_one"], path: "attestations.flexible_working_day_one", report: &report)
        attestations.apprentices = wholeNumber(
            raw["apprentices"], path: "attestations.apprentices", required: false, report: &report)
        attestations.workPlacements = wholeNumber(
            raw["work_placements"], path: "attestations.work_placements", required: false, report: &report)
        attestations.rlwPlanTarget = date(raw["rlw_plan_target"], path: "attestations.rlw_plan_target", report: &report)
        if let requests = raw["union_requests"], !isBlank(requests) {
            if let list = requests as? [Any] {
                attestations.unionRequests = list.enumerated().compactMap { index, item in
                    let path = "attestations.union_requests[\(index + 1)]"
                    let fields = item as? [String: Any] ?? [:]
                    guard let received = date(fields["received_on"], path: path + ".received_on", report: &report)
                    else {
                        if isBlank(fields["received_on"]) {
                            report.error(
                                column: path + ".received_on",
                                "received_on is missing; every union request needs the date it arrived")
                        }
                        return nil
                    }
                    let replied = date(fields["replied_on"], path: path + ".replied_on", report: &report)
                    if let replied, replied < received {
                        report.error(
                            column: path + ".replied_on", "replied_on \(replied) is before received_on \(received)")
                    }
                    return UnionRequest(receivedOn: received, repliedOn: replied)
                }
            } else {
                report.error(
                    column: "attestations.union_requests", "union_requests must be a list of {received_on, replied_on}")
            }
        }
        for name in Attestations.names where isBlank(raw[name]) {
            report.warning(column: "attestations.\(name)", Self.blankAttestationSentence(name))
        }

        var contractors: [Contractor] = []
        if let list = root["contractors"], !isBlank(list) {
            if let items = list as? [Any] {
                for (index, item) in items.enumerated() {
                    let path = "contractors[\(index + 1)]"
                    let fields = item as? [String: Any] ?? [:]
                    var supplier = (fields["supplier"] as? String).map(\.trimmingSpaces) ?? ""
                    if supplier.isEmpty {
                        report.error(column: path + ".supplier", "supplier is missing; name the contracting company")
                    } else if let problem = TextField.supplier.problem(with: supplier) {
                        report.error(column: path + ".supplier", problem)
                        supplier = ""
                    }
                    var service = (fields["service"] as? String).map(\.trimmingSpaces) ?? ""
                    if service.isEmpty {
                        report.error(
                            column: path + ".service", "service is missing; say what the contract covers, e.g. cleaning"
                        )
                    } else if let problem = TextField.service.problem(with: service) {
                        report.error(column: path + ".service", problem)
                        service = ""
                    }
                    let workers = wholeNumber(
                        fields["workers"], path: path + ".workers", required: true, report: &report)
                    let weeks = wholeNumber(
                        fields["consecutive_weeks"], path: path + ".consecutive_weeks", required: true, report: &report)
                    var hours: Double?
                    if let value = jsonNumber(fields["hours_per_day"]), value.doubleValue >= 0, value.doubleValue <= 24
                    {
                        hours = value.doubleValue
                    } else {
                        report.error(
                            column: path + ".hours_per_day", "hours_per_day must be a number of hours from 0 to 24")
                    }
                    let paid = bool(fields["rlw_paid"], path: path + ".rlw_paid", report: &report)
                    if paid == nil && isBlank(fields["rlw_paid"]) {
                        report.error(column: path + ".rlw_paid", "rlw_paid is missing; say true or false")
                    }
                    let milestone = date(fields["milestone"], path: path + ".milestone", report: &report)
                    if let workers, let weeks, let hours, let paid, !supplier.isEmpty, !service.isEmpty {
                        contractors.append(
                            Contractor(
                                supplier: supplier, service: service, workers: workers, hoursPerDay: hours,
                                consecutiveWeeks: weeks, rlwPaid: paid, milestone: milestone))
                    }
                }
            } else {
                report.error(column: "contractors", "contractors must be a list")
            }
        }
        guard report.totalErrors == errorsBefore, let period, let headcount else { return nil }
        return ReturnHeader(period: period, headcount: headcount, attestations: attestations, contractors: contractors)
    }

    /// Whether a JSONSerialization value is a JSON `true`/`false`. On Linux a number 0 or 1 also
    /// passes `is Bool`, so the boxed type decides.
    static func isJSONBool(_ value: Any?) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c"
    }

    /// A JSON number that is not a boolean.
    static func jsonNumber(_ value: Any?) -> NSNumber? {
        guard let number = value as? NSNumber, !isJSONBool(value) else { return nil }
        return number
    }

    static func isBlank(_ value: Any?) -> Bool {
        guard let value else { return true }
        if value is NSNull { return true }
        if let text = value as? String { return text.trimmingSpaces.isEmpty }
        return false
    }

    static func date(_ value: Any?, path: String, report: inout ValidationReport) -> CalendarDate? {
        guard !isBlank(value) else { return nil }
        guard let text = value as? String, let date = CalendarDate(iso: text.trimmingSpaces) else {
            report.error(column: path, "\(path) must be a date in the form YYYY-MM-DD, e.g. \"2026-02-01\"")
            return nil
        }
        if let problem = date.implausibility(field: path) {
            report.error(column: path, problem)
            return nil
        }
        return date
    }

    static func bool(_ value: Any?, path: String, report: inout ValidationReport) -> Bool? {
        guard !isBlank(value) else { return nil }
        if isJSONBool(value), let flag = value as? Bool { return flag }
        if let text = value as? String {
            switch text.trimmingSpaces.lowercased() {
            case "true", "yes", "1": return true
            case "false", "no", "0": return false
            default: break
            }
        }
        report.error(column: path, "\(path) must be true or false")
        return nil
    }

    /// The largest whole number a header field takes unless it says otherwise: more workers than any
    /// employer has, and well inside the database's 32-bit integer columns.
    static let maximumCount = 9_999_999

    /// A whole number from 0 to `maximum`; a number outside that range is refused as out of range, naming it.
    static func wholeNumber(
        _ value: Any?, path: String, required: Bool, maximum: Int = maximumCount, report: inout ValidationReport
    ) -> Int? {
        guard !isBlank(value) else {
            if required { report.error(column: path, "\(path) is missing; enter a whole number") }
            return nil
        }
        guard let number = jsonNumber(value), number.doubleValue == number.doubleValue.rounded() else {
            report.error(column: path, "\(path) must be a whole number, 0 or more")
            return nil
        }
        guard number.doubleValue >= 0, number.doubleValue <= Double(maximum) else {
            report.error(
                column: path,
                "\(path) \(number.stringValue.excerpt(24)) is out of range: it must be a whole number from 0 to"
                    + " \(maximum.grouped)")
            return nil
        }
        return number.intValue
    }

    /// What the reader says of a blank attestation. Two are asked for only in some cases (SPEC §3), which
    /// the reader cannot know (the tier, the rates in force), so their sentence says when they count; the
    /// compliance run raises `gov.data-quality` for a blank attestation only where a standard that applies
    /// needs it.
    static func blankAttestationSentence(_ name: String) -> String {
        switch name {
        case "recognition_agreement":
            "recognition_agreement is blank; it counts as missing only for an employer accredited to the charter"
        case "rlw_plan_target":
            "rlw_plan_target is blank; it counts as missing only for an aspiring employer that pays someone below"
                + " the Real Living Wage"
        default: "the attestation \(name) is missing; the return is incomplete"
        }
    }
}
