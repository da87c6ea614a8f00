import CharterDomain
import Foundation
import Testing

@Suite("RFC 4180 CSV parsing")
struct CSVParserTests {
    func parse(_ text: String) -> (records: [CSVRecord], errors: [CSVSyntaxError]) {
        CSVParser.parse(Array(text.utf8))
    }

    @Test func quotedFieldsHoldCommasQuotesAndLineBreaks() {
        let (records, errors) = parse(
            "worker_ref,note\nW1,\"Smith, J\"\nW2,\"said \"\"no\"\"\"\nW3,\"two\nlines\"\nW4,\"\"\n")
        #expect(errors.isEmpty)
        #expect(
            records.map(\.fields) == [
                ["worker_ref", "note"], ["W1", "Smith, J"], ["W2", "said \"no\""], ["W3", "two\nlines"], ["W4", ""],
            ])
        // Line numbers are physical lines: W4 starts on line 6 because W3's value spans two.
        #expect(records.map(\.line) == [1, 2, 3, 4, 6])
    }

    @Test func aNULCharacterIsAnErrorWithItsLineAndField() {
        let (records, errors) = parse("a,b\n1,x\u{0}y\n")
        #expect(errors.count == 1)
        #expect(errors.first?.line == 2 && errors.first?.field == 2)
        #expect(errors.first?.message.contains("NUL") == true)
        #expect(records.last?.fields == ["1", "xy"])
    }

    @Test func crlfAndLfAndNoFinalLineBreak() {
        let (records, errors) = parse("a,b\r\n1,2\n3,4\r\n5,")
        #expect(errors.isEmpty)
        #expect(records.map(\.fields) == [["a", "b"], ["1", "2"], ["3", "4"], ["5", ""]])
        #expect(records.map(\.line) == [1, 2, 3, 4])
    }

    @Test func blankLinesAreSkippedButEmptyFieldsAreKept() {
        let (records, _) = parse("a,b\n\n,\n")
        #expect(records.map(\.fields) == [["a", "b"], ["", ""]])
        #expect(records.map(\.line) == [1, 3])
    }

    @Test func aByteOrderMarkIsSkipped() {
        let (records, errors) = CSVParser.parse([0xEF, 0xBB, 0xBF] + Array("worker_ref\nW1\n".utf8))
        #expect(errors.isEmpty)
        #expect(records.first?.fields == ["worker_ref"])
    }

    @Test func aBadUTF8ByteIsAnErrorWithItsLine() {
        var bytes = Array("worker_ref,note\nW1,ok\nW2,caf".utf8)
        bytes.append(0xE9)  // Latin-1 'é', not UTF-8
        bytes += Array("\nW3,fine\n".utf8)
        let (records, errors) = CSVParser.parse(bytes)
        #expect(errors.count == 1)
        #expect(errors.first?.line == 3)
        #expect(errors.first?.field == 2)
        #expect(errors.first?.message.contains("UTF-8") == true)
        #expect(records.count == 4)  // parsing carries on
    }

    /// Values beyond ASCII that are good UTF-8 are read as they are, beside plain ASCII ones.
    @Test func goodUTF8BeyondASCIIIsReadAsItIs() {
        let (records, errors) = CSVParser.parse(Array("name,town\nZoë Łódź,Kraków\nAnn,日本\n".utf8))
        #expect(errors.isEmpty)
        #expect(records.map(\.fields) == [["name", "town"], ["Zoë Łódź", "Kraków"], ["Ann", "日本"]])
    }

    @Test func anUnterminatedQuoteIsReportedWhereItStarts() {
        let (_, errors) = parse("a,b\n1,\"open\n2,3\n")
        #expect(errors.count == 1)
        #expect(errors.first?.line == 2)
        #expect(errors.first?.field == 2)
        #expect(errors.first?.message.contains("closing quote") == true)
    }

    @Test func strayQuotesAreReportedAndParsingContinues() {
        let (records, errors) = parse("a,b\n5\"6,x\n\"ab\"c,y\nok,z\n")
        #expect(errors.map(\.line) == [2, 3])
        #expect(errors.map(\.field) == [1, 1])
        #expect(records.last?.fields == ["ok", "z"])
    }

    @Test func chunkBoundariesDoNotChangeTheResult() {
        let text = "\u{FEFF}a,b\r\n\"x,\r\ny\",\"q\"\"\"\r\nz,\"\"\r\n"
        let whole = CSVParser.parse(Array(text.utf8))
        for size in [1, 2, 3, 5, 7] {
            var parser = CSVParser()
            var records: [CSVRecord] = []
            let bytes = Array(text.utf8)
            var start = 0
            while start < bytes.count {
                let end = min(start + size, bytes.count)
                parser.consume(bytes[start..<end], onRecord: { records.append($0) }, onError: { _ in })
                start = end
            }
            parser.finish(onRecord: { records.append($0) }, onError: { _ in })
            #expect(records == whole.records, "chunk size \(size)")
        }
        #expect(whole.records.map(\.fields) == [["a", "b"], ["x,\r\ny", "q\""], ["z", ""]])
    }

    @Test func theGenderPayGapSampleHasSevenRowsOfTwentySevenColumns() throws {
        let url = fixtureURL("gpg-2021-22-sample.csv")
        let (records, errors) = CSVParser.parse(try Data(contentsOf: url))
        #expect(errors.isEmpty)
        #expect(records.count == 8)  // header + 7 employers
        #expect(records.allSatisfy { $0.fields.count == 27 })
        let header = try #require(records.first?.fields)
        let sic = try #require(header.firstIndex(of: "SicCodes"))
        #expect(records[3].fields[sic] == "93110,\n93130,\n93290")
        #expect(records[2].fields[0] == "\"RED BAND\" CHEMICAL COMPANY, LIMITED")
    }
}

/// A value or a line past the parser's limits is an error at its place, and memory stays at the limit.
@Suite("CSV parsing limits")
struct CSVParserLimitTests {
    @Test func aValueAtTheLimitIsReadAndOneByteMoreIsAnErrorAtItsLineAndPosition() {
        let atLimit = String(repeating: "v", count: CSVParser.defaultMaximumFieldBytes)
        let fine = CSVParser.parse(Array("a,b\n1,\(atLimit)\n".utf8))
        #expect(fine.errors.isEmpty)
        #expect(fine.records.last?.fields[1].utf8.count == 4_096)

        let over = CSVParser.parse(Array("a,b\n1,\(atLimit)v\n2,x\n".utf8))
        #expect(over.errors.count == 1)
        #expect(over.errors.first?.line == 2 && over.errors.first?.field == 2)
        #expect(over.errors.first?.message.contains("longer than 4,096 bytes") == true)
        // The value is kept to the limit, and the next line is read as usual.
        #expect(over.records[1].fields[1].utf8.count == 4_096)
        #expect(over.records.last?.fields == ["2", "x"])
    }

    @Test func aQuotedValueThatNeverEndsIsCutAtTheLimit() {
        let (records, errors) = CSVParser.parse(Array(("a\n\"" + String(repeating: "q\n", count: 10_000)).utf8))
        #expect(errors.map(\.line) == [2, 2])
        #expect(records.last?.fields.first?.utf8.count == 4_096)
    }

    @Test func aLineOfManyValuesPastTheRecordLimitIsOneErrorAndStopsGrowing() {
        let commas = String(repeating: ",", count: 100_000)
        let (records, errors) = CSVParser.parse(Array("a,b\n\(commas)\n".utf8))
        #expect(errors.count == 1)
        #expect(errors.first?.line == 2)
        #expect(errors.first?.message.contains("longer than 16,384 bytes") == true)
        #expect((records.last?.fields.count ?? 0) <= 16_384)
    }

    @Test func limitsCanBeSetPerParser() {
        var parser = CSVParser(maximumFieldBytes: 4, maximumRecordBytes: 100)
        var errors: [CSVSyntaxError] = []
        var records: [CSVRecord] = []
        parser.consume(Array("abcde,f\n".utf8), onRecord: { records.append($0) }, onError: { errors.append($0) })
        parser.finish(onRecord: { records.append($0) }, onError: { errors.append($0) })
        #expect(errors.count == 1 && errors.first?.field == 1)
        #expect(records.first?.fields == ["abcd", "f"])
    }
}
