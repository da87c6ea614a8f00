import CharterDomain
import Foundation
import Testing

@testable import CharterStore

/// A worker line's COPY text, over which a version's content hash is taken, is the same whether its
/// decimals' text was remembered from an earlier line or not, and its dates read as `CalendarDate` writes
/// them: a payroll system that spells 13.5 as 13.50 sends the same content.
@Suite("Worker lines as COPY text")
struct CopyTextTests {
    static let baseline: WorkerLine = {
        let json = """
            {"workerRef": "W1", "employmentType": "direct", "contractType": "permanent", "ageBand": "21_plus",
             "apprenticeFirstYear": false, "workplaceLondon": false, "hourlyRate": 14, "contractedHours": 37.5,
             "zhcByRequest": false, "fewerHoursByRequest": false, "startDate": "2020-01-01",
             "shiftsScheduled": 0, "shiftsShortNotice": 0, "shiftsCancelledShortNotice": 0, "shiftsCancelledPaid": 0}
            """
        return try! JSONDecoder().decode(WorkerLine.self, from: Data(json.utf8))
    }()

    func text(_ line: WorkerLine, _ cache: inout DecimalTextCache) -> [String] {
        var out: [UInt8] = []
        line.appendCopyText(to: &out, decimals: &cache)
        return String(decoding: out, as: UTF8.self).split(separator: "\t", omittingEmptySubsequences: false)
            .map(String.init)
    }

    @Test func rememberedDecimalsAndDatesReadAsTheirOwnText() throws {
        var shared = DecimalTextCache()
        var generator = SystemRandomNumberGenerator()
        for index in 0..<5_000 {
            var line = Self.baseline
            // The same values in other spellings (trailing zeros), and some values once only.
            let cents = Int.random(in: 0..<3_000, using: &generator)
            let zeros = Int.random(in: 0...2, using: &generator)
            var significand = Decimal(cents)
            for _ in 0..<zeros { significand *= 10 }
            line.hourlyRate = Decimal(sign: .plus, exponent: -2 - zeros, significand: significand)
            line.overtimeRate = index % 3 == 0 ? nil : Decimal(index) / 7
            line.contractedHours = Decimal(sign: .plus, exponent: -1, significand: Decimal(index % 500))
            line.startDate = try #require(
                CalendarDate(year: [5, 999, 2021, 9999][index % 4], month: 1 + index % 12, day: 1 + index % 28))
            line.lastHoursReview = index % 2 == 0 ? nil : line.startDate
            var fresh = DecimalTextCache()
            let fields = text(line, &shared)
            #expect(fields == text(line, &fresh))
            #expect(fields[6] == line.hourlyRate.description)
            #expect(fields[7] == (line.overtimeRate.map { "\($0)" } ?? "\\N"))
            #expect(fields[8] == line.contractedHours.description)
            #expect(fields[12] == line.startDate.description)
            #expect(fields[13] == (line.lastHoursReview?.description ?? "\\N"))
        }
    }
}
