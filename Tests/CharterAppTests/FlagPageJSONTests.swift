import CharterDomain
import CharterStore
import Foundation
import NIOCore
import Testing

@testable import CharterApp

/// The flag queue's hand-written JSON must say exactly what `APIJSON.encoder` would.
@Suite("Flag page JSON", .timeLimit(.minutes(10)))
struct FlagPageJSONTests {
    private func parsed(_ bytes: some Sequence<UInt8>) throws -> NSDictionary {
        try #require(JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
    }

    private func flag(_ id: Int64, name: String, title: String?, subject: String, opened: Date, updated: Date)
        -> Flag
    {
        Flag(
            id: id, employerID: id * 7, employerName: name, standardID: "pay.real-living-wage", standardTitle: title,
            period: ReportingPeriod("2026-Q3")!, subject: subject, state: .open, severity: .breach, openedAt: opened,
            updatedAt: updated)
    }

    @Test func theWrittenPageMeansWhatTheEncoderWrites() throws {
        let awkward = [
            "Plain Ltd", "Siân's \"Café\" & Co — Łódź", "back\\slash/slash", "line\nbreak\r\ttab",
            "control \u{01}\u{08}\u{0C}\u{1F} and \u{7F}", "emoji 🙂 and 株式会社", "\u{2028}separator\u{2029}", "",
            // Escaped, it outgrows the writer's first buffer several times over.
            String(repeating: "\u{01}\"é", count: 4_000),
        ]
        let instants: [Date] = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_795_811_405),
            Date(timeIntervalSince1970: 1_795_811_405.999), Date(timeIntervalSince1970: -86_401.5),
            Date(timeIntervalSince1970: 951_782_400),  // 2000-02-29
            Date(timeIntervalSince1970: 4_107_542_399),  // 2100-02-28T23:59:59
            Date(timeIntervalSince1970: 253_402_300_799),  // 9999-12-31T23:59:59
        ]
        var flags: [Flag] = []
        for (index, name) in awkward.enumerated() {
            let opened = instants[index % instants.count]
            let updated = instants[(index + 3) % instants.count]
            flags.append(
                flag(
                    Int64(index + 1), name: name, title: index.isMultiple(of: 3) ? nil : name, subject: name,
                    opened: opened, updated: updated))
        }
        for page in [
            FlagPage(flags: flags, nextCursor: "c_42"), FlagPage(flags: flags, nextCursor: nil),
            FlagPage(flags: [], nextCursor: nil),
        ] {
            let written = try parsed(page.json.readableBytesView)
            let encoded = try parsed(APIJSON.encoder.encode(page))
            #expect(written == encoded)
        }
    }

    @Test func everyDayOfFourHundredYearsIsWrittenAsTheEncoderWritesIt() throws {
        // A Gregorian cycle, one instant a day at a varying second, from 1900.
        var flags: [Flag] = []
        var instant = Date(timeIntervalSince1970: -2_208_988_800)
        for day in 0..<(146_097 / 100) {
            instant = instant.addingTimeInterval(86_400 * 100 + Double(day % 86_400))
            flags.append(flag(Int64(day + 1), name: "E", title: nil, subject: "", opened: instant, updated: instant))
        }
        let page = FlagPage(flags: flags, nextCursor: nil)
        #expect(try parsed(page.json.readableBytesView) == parsed(APIJSON.encoder.encode(page)))
    }
}
