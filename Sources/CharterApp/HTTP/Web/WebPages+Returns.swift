import CharterAccess
import CharterDomain
import CharterStore
import Foundation
import Hummingbird
import PGClient

extension WebPages {
    /// The employer page's returns, newest period first: each period sent, with its due date, when its
    /// first and latest versions came and whether it came on time; and each period still owed, with how
    /// long is left or that it is overdue. Due dates and lateness are the store's (the employer's charter
    /// version, England and Wales working days, the end of the due date in Europe/London), never worked
    /// out again here.
    static func returnRows(_ id: Int64, pool: PGPool, now: Date = Date()) async throws -> [[String: Any]] {
        let returns = ReturnStore(pool: pool)
        var rows: [(period: ReportingPeriod, row: [String: Any])] = []
        for summary in try await returns.periods(employerID: id) {
            let versions = try await returns.history(employerID: id, period: summary.period)
            guard let first = versions.first, let latest = versions.last else { continue }
            let base = "/employers/\(id)/returns/\(summary.period)"
            let late = first.late ?? false
            rows.append(
                (
                    summary.period,
                    [
                        "period": summary.period.description, "href": base, "versions": latest.version,
                        "dueDate": first.dueDate.map(WebPage.date) ?? "", "received": WebPage.time(first.receivedAt),
                        "latestReceived": latest.version > 1 ? WebPage.time(latest.receivedAt) as Any : false,
                        "status": late ? "late" : "on time", "statusClass": late ? "tag-late" : "tag-ok",
                        "compareHref": latest.version > 1
                            ? "\(base)?from=\(latest.version - 1)&to=\(latest.version)" as Any : false,
                    ]
                ))
        }
        for due in try await returns.owed(employerID: id, asOf: CalendarDate(now, in: .europeLondon)) {
            let days = due.daysUntilDue
            let status =
                days < 0 ? "overdue" : days == 0 ? "due today" : "due in \(days) day\(days == 1 ? "" : "s")"
            rows.append(
                (
                    due.period,
                    [
                        "period": due.period.description, "href": false, "versions": 0,
                        "dueDate": WebPage.date(due.dueDate), "received": false, "latestReceived": false,
                        "status": status, "statusClass": days < 0 ? "tag-late" : "tag-due", "compareHref": false,
                    ]
                ))
        }
        return rows.sorted { $0.period > $1.period }.map(\.row)
    }

    /// One version of a return: when it came, from whom, against its due date, what changed, and the
    /// plausibility warnings the validator gave it (SPEC §3). After an upload this is the confirmation
    /// page — the notice says whether a new version was stored or the content was the same.
    ///
    /// Warnings can point at one worker's figures, so a rep does not see them (small-number suppression).
    static func versionPage(
        _ id: Int64, _ period: ReportingPeriod, principal: Principal, context: CharterRequestContext, pool: PGPool,
        users: UserStore
    ) async throws -> Response {
        let notFound = Problem(
            .notFound,
            "Employer \(id) has no version \(context.parameters.get("version") ?? "") of its \(period) return.")
        guard let number = context.parameters.get("version").flatMap({ Int($0) }), number > 0,
            let shown = try await ReturnStore(pool: pool).show(employerID: id, period: period, version: number),
            let employer = try await EmployerStore(pool: pool).find(id: id)
        else { throw notFound }
        // A rep sees the version as `forReps()` leaves it: counts of 1–4 as "fewer than 5", no warnings.
        let full = AccessPolicy.seesWorkerDetail(principal)
        let version = full ? shown.version : shown.version.forReps()
        let names = try await ActorNames.load(for: [version.submittedBy], users: users)
        let base = "/employers/\(id)/returns/\(period)"
        let late = version.late ?? false
        var data: [String: Any] = [
            "employer": employer.name, "employerID": id, "period": period.description, "version": number,
            "received": WebPage.time(version.receivedAt), "by": names.name(version.submittedBy),
            "lines": version.lineCount.description, "changes": changeSummary(version.changes),
            "dueDate": version.dueDate.map(WebPage.date) ?? "", "status": late ? "late" : "on time",
            "statusClass": late ? "tag-late" : "tag-ok", "returnHref": base, "previous": number - 1,
            "compareHref": number > 1 ? "\(base)?from=\(number - 1)&to=\(number)" as Any : false,
        ]
        if full {
            data["showWarnings"] = true
            data["hasWarnings"] = !version.warnings.isEmpty
            data["warnings"] = version.warnings.map { warning in
                let place = warning.line.map { "Line \($0)" } ?? "The whole return"
                return [
                    "where": [place, warning.column].compactMap { $0 }.joined(separator: ", "),
                    "message": warning.message,
                ]
            }
        }
        if case .returnReceived(period, number, let unchanged)? = context.webNotice {
            data["panel"] = [
                "heading": unchanged ? "Nothing changed" : "Return received",
                "text": context.webNotice?.sentence(signedInName: nil) ?? "",
            ]
            data["noticeShown"] = true
        }
        return WebPage.render("return-version", data, context: context)
    }

    /// What changed in a version against the one before, in a sentence for a table cell.
    static func changeSummary(_ changes: ReturnChanges) -> String {
        guard changes.previousVersion != nil else { return "first version" }
        var text =
            changes.previousLinesPurged
            ? "lines not compared (the previous version's lines were deleted by retention)"
            : changes.linesSentence
        if !changes.headerFields.isEmpty { text += "; header: \(changes.headerFields.joined(separator: ", "))" }
        return text
    }
}
