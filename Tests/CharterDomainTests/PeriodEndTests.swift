import CharterDomain
import Foundation
import Testing

/// SPEC §2: a return is accepted only once its period's snapshot date has passed (Europe/London).
@Suite("Returns before their period ends")
struct PeriodEndTests {
    @Test func theSnapshotDayItselfIsRefusedAndTheNextLondonMidnightAccepted() throws {
        // Summer: London is an hour ahead, so 1 July starts at 23:00 UTC on 30 June.
        let q2 = try #require(ReportingPeriod("2026-Q2"))
        #expect(q2.firstDayToSend == day("2026-07-01"))
        let refusal = try #require(q2.refusalBeforeItEnds(receivedAt: instant("2026-06-30T22:59:59Z")))
        #expect(refusal.contains("2026-07-01"))
        #expect(refusal.contains("2026-Q2"))
        #expect(q2.refusalBeforeItEnds(receivedAt: instant("2026-06-30T23:00:00Z")) == nil)
        #expect(q2.refusalBeforeItEnds(receivedAt: instant("2026-04-01T09:00:00Z")) != nil)
        // Winter: London is on UTC.
        let q4 = try #require(ReportingPeriod("2026-Q4"))
        #expect(q4.refusalBeforeItEnds(receivedAt: instant("2026-12-31T23:59:59Z")) != nil)
        #expect(q4.refusalBeforeItEnds(receivedAt: instant("2027-01-01T00:00:00Z")) == nil)
        // The reported case: 2027-Q2 sent on 2026-12-06.
        let early = try #require(
            ReportingPeriod("2027-Q2")?.refusalBeforeItEnds(receivedAt: instant("2026-12-06T10:00:00Z")))
        #expect(
            early == "the period 2027-Q2 has not ended: its snapshot date is 2027-06-30, so its return can be sent"
                + " from 2027-07-01")
    }
}
