import CharterApp
import Testing

@Suite("Streaming multipart/form-data parser", .timeLimit(.minutes(10)))
struct MultipartParserTests {
    // MARK: - Framing and chunking

    static let boundary = "----CharterBoundary7MA4YWxk"

    /// A return upload as a browser sends it: a JSON `header` field and a `lines` CSV file.
    static let returnUpload = bytes(
        "--\(boundary)\r\n"
            + "Content-Disposition: form-data; name=\"header\"\r\n"
            + "Content-Type: application/json\r\n"
            + "\r\n"
            + "{\"employer\":\"07495895\",\"period\":\"2025-04\"}\r\n"
            + "--\(boundary)\r\n"
            + "Content-Disposition: form-data; name=\"lines\"; filename=\"lines.csv\"\r\n"
            + "Content-Type: text/csv\r\n"
            + "\r\n"
            + "worker,hours,pay\r\nW0001,37.5,480.00\r\n"
            + "\r\n--\(boundary)--\r\n")

    static let returnUploadEvents: [MultipartParser.Event] = [
        .partBegin(MultipartPartHeaders(name: "header", contentType: "application/json")),
        .bytes(bytes("{\"employer\":\"07495895\",\"period\":\"2025-04\"}")),
        .partEnd,
        .partBegin(MultipartPartHeaders(name: "lines", filename: "lines.csv", contentType: "text/csv")),
        .bytes(bytes("worker,hours,pay\r\nW0001,37.5,480.00\r\n")),
        .partEnd,
        .end,
    ]

    @Test func twoPartsDeliveredWhole() throws {
        #expect(try Self.parse([Self.returnUpload], boundary: Self.boundary) == Self.returnUploadEvents)
    }

    @Test func twoPartsSplitAnywhereIntoTwoChunks() throws {
        let body = Self.returnUpload
        for split in 0...body.count {
            let events = try Self.parse([Array(body[..<split]), Array(body[split...])], boundary: Self.boundary)
            #expect(events == Self.returnUploadEvents, "split at \(split)")
        }
    }

    @Test func twoPartsByteByByte() throws {
        let chunks = Self.returnUpload.map { [$0] }
        #expect(try Self.parse(chunks, boundary: Self.boundary) == Self.returnUploadEvents)
    }

    @Test func aNonContiguousChunkIsReadLikeAnArray() throws {
        var parser = MultipartParser(boundary: Self.boundary)
        var events = try parser.consume(Self.returnUpload.lazy.map { $0 })
        events += try parser.finish()
        #expect(Self.mergingBytes(events) == Self.returnUploadEvents)
    }

    /// Text that starts like the delimiter but is not one must come out as body bytes, wherever the
    /// chunks are cut (the classic partial-match bug).
    static let nearMisses =
        "\r\n--boundar" + "\r\n--boundaryX" + " lone \r here" + "\r\r\n--bound\r\n-" + "\r\n--\r\n--boundary_"
        + "\r\n--boundar" + "\r\r"

    static let nearMissBody = bytes(
        "--boundary\r\n"
            + "Content-Disposition: form-data; name=\"lines\"; filename=\"lines.csv\"\r\n"
            + "\r\n"
            + nearMisses
            + "\r\n--boundary\r\n"
            + "Content-Disposition: form-data; name=\"next\"\r\n"
            + "\r\n"
            + "\r\n--boundaryX\r\n--boundary--")

    static let nearMissEvents: [MultipartParser.Event] = [
        .partBegin(MultipartPartHeaders(name: "lines", filename: "lines.csv")),
        .bytes(bytes(nearMisses)),
        .partEnd,
        .partBegin(MultipartPartHeaders(name: "next")),
        .bytes(bytes("\r\n--boundaryX")),
        .partEnd,
        .end,
    ]

    @Test func textAlmostLikeTheDelimiterIsBodyBytesWhole() throws {
        #expect(try Self.parse([Self.nearMissBody]) == Self.nearMissEvents)
    }

    @Test func textAlmostLikeTheDelimiterSplitAnywhere() throws {
        let body = Self.nearMissBody
        for split in 0...body.count {
            let events = try Self.parse([Array(body[..<split]), Array(body[split...])])
            #expect(events == Self.nearMissEvents, "split at \(split)")
        }
    }

    /// A middle chunk shorter than the delimiter lets one partial match span three chunks.
    @Test func textAlmostLikeTheDelimiterSplitAnywhereIntoThreeChunks() throws {
        let body = Self.nearMissBody
        var failures: [String] = []
        for first in 0...body.count {
            for second in first...min(first + "\r\n--boundary".utf8.count + 1, body.count) {
                let chunks = [Array(body[..<first]), Array(body[first..<second]), Array(body[second...])]
                if try Self.parse(chunks) != Self.nearMissEvents { failures.append("\(first)/\(second)") }
            }
        }
        #expect(failures.isEmpty)
    }

    @Test func textAlmostLikeTheDelimiterByteByByte() throws {
        #expect(try Self.parse(Self.nearMissBody.map { [$0] }) == Self.nearMissEvents)
    }

    @Test func heldBackBytesNeverExceedTheDelimiter() throws {
        let delimiterLength = "\r\n--boundary".utf8.count
        let content = Self.bytes(Self.nearMisses)
        var parser = MultipartParser(boundary: "boundary")
        var fed = 0
        var emitted = 0
        var inLinesPart = false
        for byte in Self.nearMissBody {
            // The byte that completes the headers is not a body byte; count from the next one.
            if inLinesPart { fed = min(fed + 1, content.count) }
            for event in try parser.consume([byte]) {
                switch event {
                case .partBegin(let headers): inLinesPart = headers.name == "lines"
                case .bytes(let bytes) where inLinesPart: emitted += bytes.count
                case .partEnd: inLinesPart = false
                default: break
                }
            }
            #expect(fed - emitted <= delimiterLength, "after \(fed) body bytes")
        }
        #expect(emitted == content.count)
    }

    @Test func preambleAndEpilogueAreIgnored() throws {
        let body = Self.bytes(
            "--boundaryX is not it\r\n--boundar\r\nThis is the preamble.\r\n"
                + "--boundary\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nA"
                + "\r\n--boundary--\r\nThis is the epilogue.\r\n--boundary\r\ngarbage")
        let expected: [MultipartParser.Event] = [
            .partBegin(MultipartPartHeaders(name: "a")), .bytes(Self.bytes("A")), .partEnd, .end,
        ]
        #expect(try Self.parse([body]) == expected)
        #expect(try Self.parse(body.map { [$0] }) == expected)
    }

    @Test func transportPaddingAndBareLineFeedsAreTolerated() throws {
        let body = Self.bytes(
            "--boundary \t\r\n"
                + "content-disposition: form-data; name=\"a\"\nCONTENT-TYPE:text/plain\n\n"
                + "A\r\n--boundary\t\n"
                + "Content-Disposition: form-data;\r\n name=\"b\"\r\n\r\n"
                + "B\r\n--boundary--  \r\n")
        #expect(
            try Self.parse([body]) == [
                .partBegin(MultipartPartHeaders(name: "a", contentType: "text/plain")), .bytes(Self.bytes("A")),
                .partEnd, .partBegin(MultipartPartHeaders(name: "b")), .bytes(Self.bytes("B")), .partEnd, .end,
            ])
    }

    @Test func anEmptyPartHasNoBytesEvent() throws {
        let body = Self.bytes("--boundary\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\r\n--boundary--")
        #expect(try Self.parse([body]) == [.partBegin(MultipartPartHeaders(name: "a")), .partEnd, .end])
    }

    @Test func aBodyWithNoPartsOnlyEnds() throws {
        #expect(try Self.parse([Self.bytes("--boundary--\r\n")]) == [.end])
    }

    // MARK: - Boundary from Content-Type

    @Test(arguments: [
        ("multipart/form-data; boundary=abc", "abc"),
        ("multipart/form-data; boundary=\"a b:c?\"", "a b:c?"),
        (
            "Multipart/Form-Data; charset=utf-8; BOUNDARY=\"----WebKitFormBoundary7MA4YWxkTrZu0gW\"",
            "----WebKitFormBoundary7MA4YWxkTrZu0gW"
        ),
        ("multipart/form-data;boundary=abc ; charset=utf-8", "abc"),
        ("multipart/form-data; note=\"a;boundary=wrong\"; boundary=right", "right"),
        ("multipart/form-data; boundary=" + String(repeating: "x", count: 70), String(repeating: "x", count: 70)),
    ])
    func boundaryFromContentType(_ contentType: String, _ expected: String) {
        #expect(MultipartParser.boundary(fromContentType: contentType) == expected)
    }

    @Test(arguments: [
        "multipart/mixed; boundary=abc",
        "application/json",
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=\"\"",
        "multipart/form-data; boundary=" + String(repeating: "x", count: 71),
        "multipart/form-data; boundary=\"abc",
        "multipart/form-data; boundary=\"abc \"",
        "multipart/form-data; boundary=ab{c}",
        "multipart/form-data; boundary=\"ab\\\"c\"",
    ])
    func noBoundaryFromContentType(_ contentType: String) {
        #expect(MultipartParser.boundary(fromContentType: contentType) == nil)
    }

    // MARK: - Malformed bodies

    @Test(arguments: [
        "",
        "just a preamble",
        "--boundary\r\nContent-Disposition: form-dat",
        "--boundary\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nA",
        "--boundary\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nA\r\n--boundary",
        "--boundary\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nA\r\n--boundary-",
    ])
    func aBodyWithoutClosingDelimiterFailsAtFinish(_ text: String) throws {
        var parser = MultipartParser(boundary: "boundary")
        _ = try parser.consume(Self.bytes(text))
        let error = #expect(throws: MultipartError.self) { try parser.finish() }
        #expect(error?.code == .missingClosingBoundary)
        #expect(error?.message == "the body ended before the closing boundary")
    }

    @Test func headersLongerThan16KiBAreRefusedWhileStreaming() throws {
        var parser = MultipartParser(boundary: "boundary")
        _ = try parser.consume(Self.bytes("--boundary\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Padding: "))
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 1024)
        var refusal: MultipartError?
        for _ in 0..<17 where refusal == nil {
            do { _ = try parser.consume(chunk) } catch { refusal = error }
        }
        #expect(refusal?.code == .headersTooLong)
        #expect(refusal?.message == "a part's headers are longer than 16 KiB")
    }

    @Test func headersExactlyAtTheLimitAreAccepted() throws {
        let headers = "Content-Disposition: form-data; name=\"a\"\r\n\r\n"
        let body = Self.bytes("--boundary\r\n" + headers + "A\r\n--boundary--")
        let limit = headers.utf8.count
        #expect(try Self.parse([body], maxHeaderBytes: limit).count == 4)
        let error = #expect(throws: MultipartError.self) {
            try Self.parse(body.map { [$0] }, maxHeaderBytes: limit - 1)
        }
        #expect(error?.message == "a part's headers are longer than \(limit - 1) bytes")
    }

    @Test(arguments: [
        "Content-Disposition: form-data; filename=\"lines.csv\"\r\n",
        "Content-Type: text/csv\r\n",
        "Content-Disposition: attachment; name=\"lines\"\r\n",
        "Content-Disposition: form-data; names=\"lines\"\r\n",
        "",
    ])
    func aPartWithoutNameIsRefused(_ headers: String) throws {
        let body = Self.bytes("--boundary\r\n\(headers)\r\nA\r\n--boundary--")
        let error = #expect(throws: MultipartError.self) { try Self.parse([body]) }
        #expect(error?.code == .missingName)
        #expect(error?.message == "a part has no Content-Disposition form-data name")
    }

    @Test(arguments: [
        "Content-Disposition form-data; name=\"a\"\r\n",
        "Content-Disposition: form-data; name=\"a\r\n",
    ])
    func anUnreadableHeaderIsRefused(_ headers: String) throws {
        let body = Self.bytes("--boundary\r\n\(headers)\r\nA\r\n--boundary--")
        let error = #expect(throws: MultipartError.self) { try Self.parse([body]) }
        #expect(error?.code == .malformedHeader)
    }

    @Test(arguments: ["--boundary junk\r\n", "--boundary-x", "--boundary\rx", "--boundary \r\r\n"])
    func aBoundaryLineWithTextAfterTheBoundaryIsRefused(_ line: String) throws {
        let body = Self.bytes(line + "Content-Disposition: form-data; name=\"a\"\r\n\r\nA\r\n--boundary--")
        let error = #expect(throws: MultipartError.self) { try Self.parse([body]) }
        #expect(error?.code == .malformedBoundaryLine)
        #expect(error?.message == "a boundary line has text after the boundary")
    }

    @Test func afterAnErrorTheParserKeepsRefusing() throws {
        var parser = MultipartParser(boundary: "boundary")
        let first = #expect(throws: MultipartError.self) {
            try parser.consume(Self.bytes("--boundary\r\nContent-Type: text/plain\r\n\r\n"))
        }
        let second = #expect(throws: MultipartError.self) {
            try parser.consume(Self.bytes("--boundary--"))
        }
        let atFinish = #expect(throws: MultipartError.self) { try parser.finish() }
        #expect(first?.code == .missingName)
        #expect(second == first)
        #expect(atFinish == first)
    }

    // MARK: - File names

    @Test(arguments: [
        (#"filename="pay \"April\" \\ final.csv""#, #"pay "April" \ final.csv"#),
        (#"filename="April; final.csv""#, "April; final.csv"),
        (#"filename="Zoë.csv""#, "Zoë.csv"),
        (#"filename=lines.csv"#, "lines.csv"),
        (#"filename="""#, ""),
        (#"filename="lines.csv"; filename*=UTF-8''Zo%C3%AB.csv"#, "Zoë.csv"),
        (#"filename*=utf-8'en'Zo%c3%ab%20April.csv; filename="lines.csv""#, "Zoë April.csv"),
        (#"filename*=ISO-8859-1''Zo%EB.csv"#, "Zoë.csv"),
        (#"filename="lines.csv"; filename*=UTF-8''Zo%C3.csv"#, "lines.csv"),
        (#"filename="lines.csv"; filename*=KOI8-R''%F0.csv"#, "lines.csv"),
        (#"filename="lines.csv"; filename*=UTF-8''Zo%C"#, "lines.csv"),
    ])
    func fileNames(_ parameter: String, _ expected: String) throws {
        let body = Self.bytes(
            "--boundary\r\nContent-Disposition: form-data; name=\"lines\"; \(parameter)\r\n\r\nA\r\n--boundary--")
        let events = try Self.parse([body])
        #expect(events.first == .partBegin(MultipartPartHeaders(name: "lines", filename: expected)))
    }

    // MARK: - Large bodies

    @Test func twentyMegabytesRoundTripExactlyIn64KiBChunks() throws {
        let boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
        // Random-ish CSV: letters, digits, commas, CRLFs and hyphens, so near-misses of the delimiter
        // are frequent, from a fixed-seed generator so a failure can be reproduced.
        let alphabet = Self.bytes("abcdefghij0123456789,,,.--\r\n\r\n")
        let content = [UInt8](unsafeUninitializedCapacity: 20_000_000) { buffer, count in
            var state: UInt64 = 0x9E37_79B9_7F4A_7C15
            for index in buffer.indices {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                buffer[index] = alphabet[Int(state >> 59) % alphabet.count]
            }
            count = buffer.count
        }
        let body =
            Self.bytes(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"lines\"; filename=\"lines.csv\"\r\n"
                    + "Content-Type: text/csv\r\n\r\n") + content + Self.bytes("\r\n--\(boundary)--\r\n")
        var parser = MultipartParser(boundary: boundary)
        var received: [UInt8] = []
        received.reserveCapacity(content.count)
        var others: [MultipartParser.Event] = []
        var emptyChunks = 0
        for start in stride(from: 0, to: body.count, by: 65_536) {
            for event in try parser.consume(body[start..<min(start + 65_536, body.count)]) {
                if case .bytes(let bytes) = event {
                    received += bytes
                    if bytes.isEmpty { emptyChunks += 1 }
                } else {
                    others.append(event)
                }
            }
        }
        others += try parser.finish()
        // Compared as a count and the first differing offset, so a failure does not print 20 MB.
        #expect(received.count == content.count)
        let identical = received == content
        #expect(
            identical, "first difference at \(zip(received, content).enumerated().first { $1.0 != $1.1 }?.offset ?? -1)"
        )
        #expect(emptyChunks == 0)
        #expect(
            others == [
                .partBegin(MultipartPartHeaders(name: "lines", filename: "lines.csv", contentType: "text/csv")),
                .partEnd, .end,
            ])
    }

    // MARK: - Helpers

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Feeds `chunks`, then finishes; adjacent `.bytes` events are merged so that different chunkings of
    /// one body can be compared, after checking that no empty `.bytes` event was emitted.
    static func parse(
        _ chunks: [[UInt8]], boundary: String = "boundary", maxHeaderBytes: Int = 16 * 1024
    ) throws -> [MultipartParser.Event] {
        var parser = MultipartParser(boundary: boundary, maxHeaderBytes: maxHeaderBytes)
        var events: [MultipartParser.Event] = []
        for chunk in chunks { events += try parser.consume(chunk) }
        events += try parser.finish()
        #expect(!events.contains(.bytes([])))
        return mergingBytes(events)
    }

    static func mergingBytes(_ events: [MultipartParser.Event]) -> [MultipartParser.Event] {
        var merged: [MultipartParser.Event] = []
        for event in events {
            if case .bytes(let more) = event, case .bytes(let earlier)? = merged.last {
                merged[merged.count - 1] = .bytes(earlier + more)
            } else {
                merged.append(event)
            }
        }
        return merged
    }
}
