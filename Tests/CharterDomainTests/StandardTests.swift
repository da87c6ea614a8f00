import CharterDomain
import Foundation
import Testing

@Suite("Standards and charter versions")
struct StandardTests {
    let shiftNotice = Standard(
        id: "hours.shift-notice", pillar: .fair, title: "Notice of shifts",
        defaults: StandardDefaults(parameters: ["notice_days": .number(28), "tolerance_percent": .number(5)]),
        severityAspiring: .warning, severityAccredited: .warning)

    @Test func severityDependsOnTheTier() {
        let plan = Standard(
            id: "pay.rlw-plan", pillar: .fair, title: "Plan", defaults: StandardDefaults(), severityAspiring: .breach,
            severityAccredited: .off)
        #expect(plan.severity(for: .aspiring) == .breach)
        #expect(plan.severity(for: .accredited) == .off)
    }

    @Test func aVersionFindsItsStandardsAndTheirDefaults() {
        let version = CharterVersion(
            id: 1, label: "v1", effectiveFrom: CalendarDate(iso: "2024-01-01")!, returnDueDays: 30,
            standards: [shiftNotice])
        #expect(version.standard("hours.shift-notice") == shiftNotice)
        #expect(version.standard("hours.unknown") == nil)
        #expect(version.defaults["hours.shift-notice"]?.parameters["notice_days"]?.number == 28)
    }

    @Test func theDueDateFollowsTheVersionsOffsetAndWorkingDays() {
        // Snapshot 2026-09-30 + 30 days = Friday 30 October; + 31 = Saturday 31 October → Monday 2 November.
        let holidays = BankHolidays([])
        let thirty = CharterVersion(id: 1, label: "a", effectiveFrom: CalendarDate(iso: "2024-01-01")!, standards: [])
        let thirtyOne = CharterVersion(
            id: 2, label: "b", effectiveFrom: CalendarDate(iso: "2024-01-01")!, returnDueDays: 31, standards: [])
        #expect(thirty.dueDate(of: ReportingPeriod("2026-Q3")!, holidays: holidays) == CalendarDate(iso: "2026-10-30"))
        #expect(
            thirtyOne.dueDate(of: ReportingPeriod("2026-Q3")!, holidays: holidays) == CalendarDate(iso: "2026-11-02"))
    }
}
