import Foundation
import Testing

@testable import Mail

@Suite("RFC 5322 dates")
struct MailDateTests {
    private let london = TimeZone(identifier: "Europe/London")!

    @Test("Winter in London is +0000, summer +0100, with English names whatever the locale")
    func londonOffsets() {
        let november = Date(timeIntervalSince1970: 1_795_815_000)  // 2026-11-27 21:30:00 UTC
        #expect(MailDate.format(november, timeZone: london) == "Fri, 27 Nov 2026 21:30:00 +0000")
        let july = Date(timeIntervalSince1970: 1_783_020_645.9)  // 2026-07-02 19:30:45.9 UTC
        #expect(MailDate.format(july, timeZone: london) == "Thu, 2 Jul 2026 20:30:45 +0100")
    }

    @Test("Negative and half-hour offsets")
    func offsets() {
        let instant = Date(timeIntervalSince1970: 1_795_815_000)
        #expect(
            MailDate.format(instant, timeZone: TimeZone(identifier: "America/New_York")!)
                == "Fri, 27 Nov 2026 16:30:00 -0500")
        #expect(
            MailDate.format(instant, timeZone: TimeZone(identifier: "Asia/Kolkata")!)
                == "Sat, 28 Nov 2026 03:00:00 +0530")
    }

    @Test("The clocks going back: the same wall time, two offsets")
    func fallBack() {
        // 2026-10-25 00:30 UTC is 01:30 BST; an hour later it is 01:30 GMT.
        let first = Date(timeIntervalSince1970: 1_792_888_200)
        #expect(MailDate.format(first, timeZone: london) == "Sun, 25 Oct 2026 01:30:00 +0100")
        #expect(MailDate.format(first + 3600, timeZone: london) == "Sun, 25 Oct 2026 01:30:00 +0000")
    }
}
