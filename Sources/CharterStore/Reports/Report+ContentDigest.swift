public import CharterDomain
import Foundation

extension Report {
    /// SHA-256 of what the report tells its reader, for `OutboxMessage.contentDigest`: the same facts
    /// give the same digest whatever day they are reported on.
    ///
    /// Dates that move every day are left out (`asOf`, `weekEnding`, days until a return is due), and
    /// so is what a digest says *happened* since the last one: every flag's `change` is taken as
    /// `unchanged` and flags listed only because they were cleared are dropped. What remains is the
    /// recipient's standing — which flags are open, in what state, with what evidence, which returns
    /// are owed — so tomorrow's digest of an unchanged situation matches today's, and is not sent
    /// again until the repeat interval passes (SPEC §7), while any real change (a new flag, a clearing
    /// that removes one, new figures) changes the digest.
    public var contentDigest: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.userInfo[ReportFlag.omitsTimes] = true
        // Plain values (strings, numbers, dates as text) always encode.
        let data = (try? encoder.encode(normalisedForDigest)) ?? Data()
        return OutboxMessage.digest(of: data)
    }

    /// The report with its dates blanked and its changes forgotten (see `contentDigest`).
    var normalisedForDigest: Report {
        let epoch = CalendarDate(daysSinceEpoch: 0)
        func standing(_ flags: [ReportFlag]) -> [ReportFlag] {
            flags.filter { $0.change != .cleared }.map {
                var flag = $0
                flag.change = .unchanged
                return flag
            }
        }
        func undated(_ due: DueReturn) -> DueReturn {
            DueReturn(period: due.period, dueDate: due.dueDate, daysUntilDue: 0)
        }
        switch self {
        case .employerDigest(var digest):
            digest.asOf = epoch
            digest.flags = standing(digest.flags)
            digest.dueReturns = digest.dueReturns.map(undated)
            return .employerDigest(digest)
        case .repDigest(var digest):
            digest.asOf = epoch
            digest.employers = digest.employers.compactMap {
                var employer = $0
                employer.flags = standing(employer.flags)
                return employer.flags.isEmpty ? nil : employer
            }
            return .repDigest(digest)
        case .reminder(var reminder):
            reminder.asOf = epoch
            reminder.due = undated(reminder.due)
            return .reminder(reminder)
        case .weeklySummary(var summary):
            summary.weekEnding = epoch
            summary.missingReturns = summary.missingReturns.map {
                var missing = $0
                missing.due = undated(missing.due)
                return missing
            }
            return .weeklySummary(summary)
        case .flagNotice, .invitation, .accreditationLapsed, .application:
            return self
        case .accreditationReminder(var reminder):
            reminder.asOf = epoch
            return .accreditationReminder(reminder)
        }
    }

    /// The outbox's unique key for this report (SPEC §7: kind, recipient, subject period or run), so
    /// queuing it again — a rerun, a retried transaction — is a no-op:
    /// `employer-digest:<employer>:<date>`, `rep-digest:<rep>:<date>` (both `DigestKey`),
    /// `reminder:<employer>:<period>:<step>`, `weekly-summary:<date>`,
    /// `flag-notice:<flag event>:<recipient>` (a notice has one recipient), `invitation:<password link>`,
    /// `accreditation-reminder:<pledge>:<rung>`, `accreditation-lapsed:<pledge>`,
    /// `application:<application>:<step>:<serial>`.
    public var dedupKey: String {
        switch self {
        case .employerDigest(let digest): DigestKey(recipient: .employer(digest.employerID), asOf: digest.asOf).text
        case .repDigest(let digest): DigestKey(recipient: .rep(digest.repID), asOf: digest.asOf).text
        case .reminder(let reminder):
            "reminder:\(reminder.employerID):\(reminder.due.period):\(reminder.step.rawValue)"
        case .weeklySummary(let summary): "weekly-summary:\(summary.weekEnding)"
        case .flagNotice(let notice):
            "flag-notice:\(notice.flagEventID):\(OutboxMessage.recipientKey(notice.recipients.map(\.email)))"
        case .invitation(let notice): "invitation:\(notice.linkID)"
        case .accreditationReminder(let reminder):
            "accreditation-reminder:\(reminder.pledgeID):\(reminder.rung.rawValue)"
        case .accreditationLapsed(let notice): "accreditation-lapsed:\(notice.pledgeID)"
        case .application(let notice): "application:\(notice.applicationID):\(notice.step.rawValue):\(notice.serial)"
        }
    }

    /// Whether an unchanged report is held back (digests), rather than unique by its key alone.
    public var isDigest: Bool { kind == .employerDigest || kind == .repDigest }
}
