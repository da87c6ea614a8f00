import CharterDomain
import Testing

/// The digest key the outbox stores and the prefix that finds a recipient's last digest come from one
/// place, so a recipient's digests are always found, and never another recipient's.
@Suite("Digest keys")
struct DigestKeyTests {
    let day = CalendarDate(year: 2026, month: 11, day: 27)!

    @Test func aKeyNamesTheKindTheRecipientAndTheDay() {
        #expect(DigestKey(recipient: .employer(12), asOf: day).text == "employer-digest:12:2026-11-27")
        #expect(DigestKey(recipient: .rep(3), asOf: day).text == "rep-digest:3:2026-11-27")
    }

    @Test func everyKeyToARecipientStartsWithItsPrefixAndNoOtherRecipientsDoes() {
        let twelve = DigestKey(recipient: .employer(12), asOf: day).text
        #expect(twelve.hasPrefix(DigestKey.prefix(for: .employer(12))))
        #expect(!twelve.hasPrefix(DigestKey.prefix(for: .employer(1))))
        #expect(!twelve.hasPrefix(DigestKey.prefix(for: .rep(12))))
        #expect(
            DigestKey(recipient: .rep(12), asOf: day.adding(days: 1)).text.hasPrefix(DigestKey.prefix(for: .rep(12))))
    }
}
