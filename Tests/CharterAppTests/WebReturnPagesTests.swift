import CharterAccess
import CharterApp
import CharterDomain
import CharterStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PGClient
import TestSupport
import Testing

/// An employer's returns in the browser: each period's due date and whether it came on time or is
/// owed, the confirmation page after an upload with the plausibility warnings, the links between
/// versions, and people named by name, times in UK time.
@Suite("The return pages", .timeLimit(.minutes(10)))
struct WebReturnPagesTests {
    /// A calendar date as the pages write it.
    static func day(_ date: CalendarDate) -> String {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(date.day) \(months[date.month - 1]) \(date.year)"
    }

    /// The table row of `html` whose first cell names `period`.
    static func row(_ html: String, _ period: String) throws -> String {
        try #require(
            html.components(separatedBy: "<tr>").first {
                $0.hasPrefix("<td>\(period)<") || $0.contains(">\(period)</a></td>")
            },
            "no row for \(period)")
    }

    /// The due date of `period` for `employer` as SPEC §2 has it: the pledged charter version's
    /// `return_due_days` after the snapshot, on the next working day.
    static func dueDate(_ period: ReportingPeriod, employer: Int64, pool: PGPool) async throws -> CalendarDate {
        try await pool.withConnection { connection in
            let days = try await connection.query(
                """
                SELECT (v.params->>'return_due_days')::int AS days FROM pledges p
                JOIN charter_versions v ON v.id = p.charter_version_id WHERE p.employer_id = \(employer)
                """)[0].decode(Int.self, column: "days")
            let holidays = BankHolidays(
                try await connection.query("SELECT date::text AS d FROM bank_holidays").compactMap {
                    CalendarDate(iso: try $0.decode(String.self, column: "d"))
                })
            return period.dueDate(returnDueDays: days, holidays: holidays)
        }
    }

    static let columns =
        "worker_ref,employment_type,contract_type,age_band,workplace_london,hourly_rate,contracted_hours,"
        + "avg_actual_hours_12w,start_date,shifts_scheduled,shifts_short_notice,shifts_cancelled_short_notice,"
        + "shifts_cancelled_paid"

    /// Sam HR's user id: who the employer's returns come from.
    static func employerUser(_ setup: WebPagesTests.Setup) async throws -> Int64 {
        try #require(try await setup.users.list().first { $0.email == "hr@sefton.example" }?.id)
    }

    @Test func anEmployerSeesEachReturnsDueDateAndWhetherItCameOnTime() async throws {
        let setup = try await WebPagesTests.setUp("web-due-dates")
        // 2026-Q2 came in on 15 July (in summer, so BST), before its due date.
        let submitter = Principal.userActor(try await Self.employerUser(setup))
        let csv = Array(
            ([Self.columns, "W1,direct,permanent,21_plus,no,13.50,37.5,37.5,2021-03-01,60,2,1,1"]
                .joined(separator: "\r\n") + "\r\n").utf8)
        let outcome = try await ReturnStore(pool: setup.pool).submit(
            ReturnSubmission(
                employerID: setup.covered, period: ReportingPeriod("2026-Q2"), submittedBy: submitter,
                header: Data(
                    #"{"period": "2026-Q2", "headcount": 1, "attestations": {"sick_pay_waiting_days": 0}}"#.utf8),
                receivedAt: ISO8601DateFormatter().date(from: "2026-07-15T10:30:00Z")),
            csv: AsyncStream<[UInt8]> {
                $0.yield(csv)
                $0.finish()
            })
        if case .rejected(let report) = outcome { Issue.record("the 2026-Q2 return was refused: \(report)") }
        try await WebPagesTests.application(setup).test(.router) { client in
            let employer = try await WebPagesTests.signIn(client, "hr@sefton.example")
            let token = try await WebPagesTests.csrf(client, employer, "/employers/\(setup.covered)")
            // 2026-Q3 comes in now, long after its due date.
            let upload = try await client.execute(
                uri: "/employers/\(setup.covered)/returns/upload", method: .post,
                headers: [.cookie: employer, .contentType: "multipart/form-data; boundary=b0undary"],
                body: WebPagesTests.uploadForm(
                    csrf: token, lines: ["W1,direct,permanent,21_plus,no,13.50,37.5,37.5,2021-03-01,60,2,1,1"]))
            #expect(upload.status == .seeOther)

            let page = try await client.execute(
                uri: "/employers/\(setup.covered)", method: .get, headers: [.cookie: employer])
            let html = WebPagesTests.text(page)
            let q2 = try Self.row(html, "2026-Q2")
            let q2Due = try await Self.dueDate(ReportingPeriod("2026-Q2")!, employer: setup.covered, pool: setup.pool)
            #expect(q2.contains("<td>\(Self.day(q2Due))</td>"))
            #expect(q2.contains("<td>15 Jul 2026, 11:30 BST</td>"))
            #expect(q2.contains(">on time</strong>"))
            let q3 = try Self.row(html, "2026-Q3")
            let q3Due = try await Self.dueDate(ReportingPeriod("2026-Q3")!, employer: setup.covered, pool: setup.pool)
            #expect(q3.contains("<td>\(Self.day(q3Due))</td>"))
            #expect(q3.contains(">late</strong>"))
            #expect(!html.contains("UTC"))

            // Every other period of the last four quarters that the pledge covers is owed.
            let today = CalendarDate(Date(), in: .europeLondon)
            var period = ReportingPeriod(containing: today)
            for _ in 0..<4 {
                defer { period = period.previous }
                guard period.snapshot >= CalendarDate(year: 2026, month: 1, day: 1)!,
                    !["2026-Q2", "2026-Q3"].contains(period.description)
                else { continue }
                let due = try await Self.dueDate(period, employer: setup.covered, pool: setup.pool)
                let days = today.days(until: due)
                let status =
                    days < 0 ? "overdue" : days == 0 ? "due today" : "due in \(days) day\(days == 1 ? "" : "s")"
                let row = try Self.row(html, period.description)
                #expect(row.contains("<td>\(Self.day(due))</td><td>not received</td>"), "\(period)")
                #expect(row.contains(">\(status)</strong>"), "\(period): \(row)")
            }

            // The return page names who sent each version, never `user:N`.
            let versions = try await client.execute(
                uri: "/employers/\(setup.covered)/returns/2026-Q2", method: .get, headers: [.cookie: employer])
            let versionsHTML = WebPagesTests.text(versions)
            #expect(versionsHTML.contains("<td>Sam HR</td>"))
            #expect(!versionsHTML.contains("user:"))
            #expect(!versionsHTML.contains(">late</strong>"))
        }
        await setup.pool.close()
    }

    @Test func anUploadIsConfirmedWithItsWarningsAndAReloadSendsNothingAgain() async throws {
        let setup = try await WebPagesTests.setUp("web-upload-confirmation")
        // Two short-notice shifts but only one scheduled: accepted, with a plausibility warning on line 2.
        let odd = "W1,direct,permanent,21_plus,no,13.50,37.5,37.5,2021-03-01,1,2,1,1"
        let added = "W3,direct,permanent,21_plus,no,14.00,30,30,2022-05-01,40,0,0,0"
        try await WebPagesTests.application(setup).test(.router) { client in
            let employer = try await WebPagesTests.signIn(client, "hr@sefton.example")
            let token = try await WebPagesTests.csrf(client, employer, "/employers/\(setup.covered)")
            let base = "/employers/\(setup.covered)/returns/2026-Q3"
            func upload(_ lines: [String]) async throws -> (location: String?, notice: String?) {
                let response = try await client.execute(
                    uri: "/employers/\(setup.covered)/returns/upload", method: .post,
                    headers: [.cookie: employer, .contentType: "multipart/form-data; boundary=b0undary"],
                    body: WebPagesTests.uploadForm(csrf: token, lines: lines))
                #expect(response.status == .seeOther)
                return (response.headers[.location], WebSignInTests.noticeCookie(response))
            }
            let first = try await upload([odd])
            #expect(first.location == "\(base)/versions/1")
            let confirmation = try await client.execute(
                uri: "\(base)/versions/1", method: .get,
                headers: [.cookie: "\(employer); \(try #require(first.notice))"])
            #expect(confirmation.status == .ok)
            var html = WebPagesTests.text(confirmation)
            #expect(html.contains(#"<div class="panel">"#))
            #expect(html.contains("<h1>Return received</h1>"))
            #expect(html.contains("Version 1 of the 2026-Q3 return was received."))
            #expect(
                html.contains("<li><strong>Line 2, shifts_short_notice:</strong> shifts_short_notice (2) is more than"))
            #expect(html.contains("<dt>Sent by</dt><dd>Sam HR</dd>"))
            #expect(html.contains(">late</strong>"))
            #expect(!html.contains("user:"))

            // A reload asks for the page again and sends nothing: the same version, no panel the second time.
            let reload = try await client.execute(uri: "\(base)/versions/1", method: .get, headers: [.cookie: employer])
            html = WebPagesTests.text(reload)
            #expect(!html.contains("Return received"))
            #expect(html.contains("version 1</h1>"))
            #expect(html.contains("shifts_short_notice (2) is more than"))
            #expect(
                try await ReturnStore(pool: setup.pool).history(
                    employerID: setup.covered, period: ReportingPeriod("2026-Q3")!
                ).count == 1)

            // The same files again: nothing changed, and the page says so.
            let same = try await upload([odd])
            #expect(same.location == "\(base)/versions/1")
            let unchanged = try await client.execute(
                uri: "\(base)/versions/1", method: .get, headers: [.cookie: "\(employer); \(try #require(same.notice))"]
            )
            html = WebPagesTests.text(unchanged)
            #expect(html.contains("<h1>Nothing changed</h1>"))
            #expect(html.contains("the files you sent are the same as version 1"))

            // Two amendments: each version's compare link goes to the version before it, and the first has none.
            #expect(try await upload([odd, added]).location == "\(base)/versions/2")
            #expect(try await upload([added]).location == "\(base)/versions/3")
            let compare = try await client.execute(
                uri: "\(base)?from=2&to=3", method: .get, headers: [.cookie: employer])
            html = WebPagesTests.text(compare)
            #expect(html.contains("Changes from version 2 to version 3"))
            #expect(html.contains(#"<a href="\#(base)?from=1&amp;to=2">with version 1</a>"#))
            #expect(html.contains(#"<a href="\#(base)?from=2&amp;to=3">with version 2</a>"#))
            #expect(!html.contains("with version 0"))
            let version2 = try await client.execute(
                uri: "\(base)/versions/2", method: .get, headers: [.cookie: employer])
            #expect(WebPagesTests.text(version2).contains(#"<a href="\#(base)?from=1&amp;to=2">"#))

            // A rep reads the version, but not warnings that may point at one worker's figures.
            let rep = try await WebPagesTests.signIn(client, "jo@union.example")
            let repView = try await client.execute(uri: "\(base)/versions/1", method: .get, headers: [.cookie: rep])
            #expect(repView.status == .ok)
            #expect(!WebPagesTests.text(repView).contains("Plausibility warnings"))
            let missing = try await client.execute(
                uri: "\(base)/versions/9", method: .get, headers: [.cookie: employer])
            #expect(missing.status == .notFound)
        }
        await setup.pool.close()
    }
}
