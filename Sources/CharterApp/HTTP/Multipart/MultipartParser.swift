/// A streaming `multipart/form-data` parser (RFC 7578, RFC 2046 §5.1): bytes in, in chunks of any size;
/// part boundaries, headers and body bytes out.
///
/// Uploads such as a payroll CSV can be hundreds of megabytes, so a part's body is never buffered:
/// each call to ``consume(_:)`` hands back the body bytes it has proved are not part of a delimiter.
/// The only bytes held back between calls are a partial match of the delimiter `CRLF--boundary`, never
/// more than its length, and a part's header block, at most `maxHeaderBytes`. Work is linear in the
/// input: the body is scanned for CR, and a failed partial match restarts at the byte that broke it,
/// which is safe because a boundary cannot contain CR.
///
/// Framing follows RFC 2046: a preamble before the first delimiter is ignored, and the first delimiter
/// may come without its leading CRLF; a boundary line may have spaces or tabs (transport padding)
/// before its line break; `--boundary--` closes the body and anything after it (the epilogue) is
/// ignored. A line that starts with `--boundary` and goes on with any other character
/// (`--boundaryX`) is body text, not a delimiter. One that goes on with `-`, a space, a tab or a line
/// break is a boundary line and must then be well-formed (`--`, or padding and a line break), which
/// keeps what is held back within the delimiter's length. Header lines may end in CRLF or a bare LF.
///
/// After an error the parser is stuck: every later call throws the same error.
public struct MultipartParser: Sendable {
    /// Something the body has shown, in order; a part's events are `partBegin`, `bytes`…, `partEnd`.
    public enum Event: Sendable, Equatable {
        /// A new part starts; its body bytes follow.
        case partBegin(MultipartPartHeaders)
        /// Some of the current part's body bytes, never empty; a part's bytes may come in many events.
        case bytes([UInt8])
        /// The current part's body is complete.
        case partEnd
        /// The closing delimiter was seen; nothing else will follow.
        case end
    }

    private enum State: Sendable {
        /// Before the first delimiter: bytes are thrown away.
        case preamble
        /// In a part's body, looking for the next delimiter.
        case body
        /// `CRLF--boundary` has just been matched; the next byte tells whether it was a delimiter.
        /// `endsPart` is true when it came after a part's body, false when after the preamble.
        case afterBoundary(endsPart: Bool)
        /// `CRLF--boundary-` has been seen: the closing delimiter's second `-` must follow.
        case closingHyphen(endsPart: Bool)
        /// Transport padding after the boundary: more padding or the line break must follow.
        case padding(endsPart: Bool)
        /// The CR ending a boundary line has been seen: its LF must follow.
        case boundaryLineFeed(endsPart: Bool)
        /// Reading a part's header block, up to the blank line.
        case headers
        /// After the closing delimiter: bytes are thrown away.
        case epilogue
        case failed(MultipartError)
    }

    /// `CRLF--boundary`, the bytes that end a part's body.
    private let delimiter: [UInt8]
    private let maxHeaderBytes: Int
    private var state = State.preamble
    /// How many bytes of `delimiter` the input has matched so far, in `.preamble` and `.body`. It starts
    /// at 2, as if the body began with CRLF, so that a body starting with `--boundary` is recognised.
    private var matched = 2
    /// The current part's header block so far.
    private var headerBlock: [UInt8] = []
    /// Where the unfinished line in `headerBlock` starts.
    private var headerLineStart = 0

    /// From a `Content-Type` header value like `multipart/form-data; boundary="abc"`, the boundary.
    ///
    /// The media type is compared case-insensitively, parameters may come in any order and the boundary
    /// may be quoted or not. Returns nil when the type is not `multipart/form-data` or the boundary is
    /// missing or not a valid RFC 2046 boundary (1–70 of its characters, not ending in a space).
    public static func boundary(fromContentType contentType: String) -> String? {
        guard let header = MultipartHeaderValue(contentType.utf8), header.valueIs("multipart/form-data"),
            let boundary = header.parameter("boundary"), (1...70).contains(boundary.count),
            boundary.allSatisfy(isBoundaryCharacter), boundary.last != UInt8(ascii: " ")
        else { return nil }
        return String(decoding: boundary, as: UTF8.self)
    }

    /// A parser for a body whose parts are separated by `boundary`.
    ///
    /// - Parameters:
    ///   - boundary: The boundary without its leading `--`, as returned by ``boundary(fromContentType:)``;
    ///     it must not be empty or hold CR or LF.
    ///   - maxHeaderBytes: The most bytes a part's header block may take, line breaks included;
    ///     default 16 KiB.
    public init(boundary: String, maxHeaderBytes: Int = 16 * 1024) {
        let boundaryBytes = Array(boundary.utf8)
        precondition(
            !boundaryBytes.isEmpty && !boundaryBytes.contains(UInt8(ascii: "\r"))
                && !boundaryBytes.contains(UInt8(ascii: "\n")),
            "a multipart boundary must not be empty or contain a line break")
        precondition(maxHeaderBytes > 0, "maxHeaderBytes must be positive")
        delimiter = Array("\r\n--".utf8) + boundaryBytes
        self.maxHeaderBytes = maxHeaderBytes
    }

    /// Feeds the next chunk of the body; returns the events it completes.
    ///
    /// Throws a ``MultipartError`` saying what is wrong when the body is malformed.
    public mutating func consume(_ chunk: some Collection<UInt8>) throws(MultipartError) -> [Event] {
        var events: [Event] = []
        let outcome =
            chunk.withContiguousStorageIfAvailable { input in
                Result { () throws(MultipartError) in try process(input, into: &events) }
            }
            ?? Array(chunk).withUnsafeBufferPointer { input in
                Result { () throws(MultipartError) in try process(input, into: &events) }
            }
        if case .failure(let error) = outcome {
            state = .failed(error)
            throw error
        }
        return events
    }

    /// Call when the body has ended: throws unless the closing delimiter has been seen.
    public mutating func finish() throws(MultipartError) -> [Event] {
        switch state {
        case .epilogue:
            return []
        case .failed(let error):
            throw error
        default:
            let error = MultipartError(.missingClosingBoundary, "the body ended before the closing boundary")
            state = .failed(error)
            throw error
        }
    }

    private mutating func process(
        _ input: UnsafeBufferPointer<UInt8>, into events: inout [Event]
    ) throws(MultipartError) {
        // The current part's body bytes found in this chunk, emitted as one event when the part ends
        // or the chunk does.
        var bodyBytes: [UInt8] = []
        var index = 0
        while index < input.count {
            switch state {
            case .preamble, .body:
                index = scanForDelimiter(input, from: index, bodyBytes: &bodyBytes)
            case .afterBoundary(let endsPart):
                switch input[index] {
                case UInt8(ascii: "-"):
                    state = .closingHyphen(endsPart: endsPart)
                    index += 1
                case UInt8(ascii: " "), UInt8(ascii: "\t"):
                    state = .padding(endsPart: endsPart)
                    index += 1
                case UInt8(ascii: "\r"):
                    state = .boundaryLineFeed(endsPart: endsPart)
                    index += 1
                case UInt8(ascii: "\n"):
                    beginPart(endsPart: endsPart, bodyBytes: &bodyBytes, events: &events)
                    index += 1
                default:
                    // `--boundaryX`: what matched was text. Look at this byte again in that light.
                    if endsPart {
                        bodyBytes.append(contentsOf: delimiter)
                        state = .body
                    } else {
                        state = .preamble
                    }
                    matched = 0
                }
            case .closingHyphen(let endsPart):
                guard input[index] == UInt8(ascii: "-") else { throw Self.malformedBoundaryLine }
                index += 1
                if endsPart {
                    Self.flush(&bodyBytes, into: &events)
                    events.append(.partEnd)
                }
                events.append(.end)
                state = .epilogue
            case .padding(let endsPart):
                switch input[index] {
                case UInt8(ascii: " "), UInt8(ascii: "\t"):
                    break
                case UInt8(ascii: "\r"):
                    state = .boundaryLineFeed(endsPart: endsPart)
                case UInt8(ascii: "\n"):
                    beginPart(endsPart: endsPart, bodyBytes: &bodyBytes, events: &events)
                default:
                    throw Self.malformedBoundaryLine
                }
                index += 1
            case .boundaryLineFeed(let endsPart):
                guard input[index] == UInt8(ascii: "\n") else { throw Self.malformedBoundaryLine }
                beginPart(endsPart: endsPart, bodyBytes: &bodyBytes, events: &events)
                index += 1
            case .headers:
                index = try scanHeaders(input, from: index, events: &events)
            case .epilogue:
                index = input.count
            case .failed(let error):
                throw error
            }
        }
        Self.flush(&bodyBytes, into: &events)
    }

    /// Scans `input` from `start` for the delimiter, keeping the bytes before it as body bytes when in
    /// `.body`; returns where scanning stopped (just after the delimiter, or the end of `input`).
    private mutating func scanForDelimiter(
        _ input: UnsafeBufferPointer<UInt8>, from start: Int, bodyBytes: inout [UInt8]
    ) -> Int {
        let keepsBytes: Bool
        if case .body = state { keepsBytes = true } else { keepsBytes = false }
        let carriageReturn = UInt8(ascii: "\r")
        let count = input.count
        // Of the `matched` delimiter bytes, the first `carried` came before `input` (held back from an
        // earlier chunk), the rest are the `matched - carried` bytes just before `index`.
        var matched = self.matched
        var carried = matched
        var index = start
        while index < count {
            if matched == 0 {
                // Only a CR can start a delimiter.
                while index < count && input[index] != carriageReturn { index += 1 }
                if index == count { break }
            }
            if input[index] == delimiter[matched] {
                matched += 1
                index += 1
                if matched == delimiter.count {
                    if keepsBytes {
                        bodyBytes.append(
                            contentsOf: UnsafeBufferPointer(rebasing: input[start..<(index - (matched - carried))]))
                    }
                    self.matched = 0
                    state = .afterBoundary(endsPart: keepsBytes)
                    return index
                }
            } else {
                // Not the delimiter after all: what matched was text. The delimiter has a CR only at its
                // start, so no delimiter can start inside the failed match; the byte at `index` is looked
                // at again, as it may be a CR.
                if carried > 0 && keepsBytes {
                    bodyBytes.append(contentsOf: delimiter[..<carried])
                }
                carried = 0
                matched = 0
            }
        }
        if keepsBytes {
            bodyBytes.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<(count - (matched - carried))]))
        }
        self.matched = matched
        return count
    }

    /// Collects a part's header block from `input`; at its blank line, emits `partBegin` and moves to
    /// the body. Returns where it stopped.
    private mutating func scanHeaders(
        _ input: UnsafeBufferPointer<UInt8>, from start: Int, events: inout [Event]
    ) throws(MultipartError) -> Int {
        let lineFeed = UInt8(ascii: "\n")
        var index = start
        while index < input.count {
            var lineEnd = index
            while lineEnd < input.count && input[lineEnd] != lineFeed { lineEnd += 1 }
            let foundLineFeed = lineEnd < input.count
            let end = foundLineFeed ? lineEnd + 1 : lineEnd
            guard headerBlock.count + (end - index) <= maxHeaderBytes else {
                throw MultipartError(.headersTooLong, "a part's headers are longer than \(describedHeaderLimit)")
            }
            headerBlock.append(contentsOf: UnsafeBufferPointer(rebasing: input[index..<end]))
            index = end
            guard foundLineFeed else { break }
            var contentEnd = headerBlock.count - 1
            if contentEnd > headerLineStart && headerBlock[contentEnd - 1] == UInt8(ascii: "\r") {
                contentEnd -= 1
            }
            if contentEnd == headerLineStart {
                // The blank line: the headers are complete and the body starts right after it.
                let headers = try MultipartPartHeaders(headerBlock: headerBlock[..<headerLineStart])
                events.append(.partBegin(headers))
                headerBlock = []
                headerLineStart = 0
                matched = 0
                state = .body
                return index
            }
            headerLineStart = headerBlock.count
        }
        return index
    }

    /// A boundary line is complete: the part before it (if any) ends and the next one's headers follow.
    private mutating func beginPart(endsPart: Bool, bodyBytes: inout [UInt8], events: inout [Event]) {
        if endsPart {
            Self.flush(&bodyBytes, into: &events)
            events.append(.partEnd)
        }
        headerBlock = []
        headerLineStart = 0
        state = .headers
    }

    private static func flush(_ bodyBytes: inout [UInt8], into events: inout [Event]) {
        guard !bodyBytes.isEmpty else { return }
        events.append(.bytes(bodyBytes))
        bodyBytes = []
    }

    private static let malformedBoundaryLine = MultipartError(
        .malformedBoundaryLine, "a boundary line has text after the boundary")

    private var describedHeaderLimit: String {
        maxHeaderBytes.isMultiple(of: 1024) ? "\(maxHeaderBytes / 1024) KiB" : "\(maxHeaderBytes) bytes"
    }

    /// RFC 2046's `bchars`: digits, letters, `'()+_,-./:=?` and space.
    private static func isBoundaryCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            true
        default:
            "'()+_,-./:=? ".utf8.contains(byte)
        }
    }
}
