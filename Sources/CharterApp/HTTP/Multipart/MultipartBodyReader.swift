import Hummingbird
import NIOCore

/// Reads a streamed `multipart/form-data` request body event by event, pulling the next chunk from
/// the connection only when the events of the last one are used up, so an upload is never held in
/// memory and a slow reader slows the sender down.
///
/// Confined to the task handling the request (not `Sendable`).
final class MultipartBodyReader {
    private var iterator: RequestBody.AsyncIterator
    private var parser: MultipartParser
    private var pending: [MultipartParser.Event] = []
    private var pendingIndex = 0
    private var bodyEnded = false
    private var received = 0
    /// More than this many bytes in the whole body is refused (413).
    let maximumBytes: Int

    init(body: RequestBody, boundary: String, maximumBytes: Int) {
        iterator = body.makeAsyncIterator()
        parser = MultipartParser(boundary: boundary)
        self.maximumBytes = maximumBytes
    }

    /// The next event, or nil once the body has ended (after `.end`).
    func nextEvent() async throws -> MultipartParser.Event? {
        while pendingIndex == pending.count {
            guard !bodyEnded else { return nil }
            pending = []
            pendingIndex = 0
            if let chunk = try await iterator.next() {
                received += chunk.readableBytes
                guard received <= maximumBytes else {
                    throw Problem(
                        .contentTooLarge, "the upload is larger than \(maximumBytes / (1024 * 1024)) MiB")
                }
                do {
                    pending = try parser.consume(chunk.readableBytesView)
                } catch {
                    throw Problem(.badRequest, "the multipart body cannot be read: \(error.message)")
                }
            } else {
                bodyEnded = true
                do {
                    pending = try parser.finish()
                } catch {
                    throw Problem(.badRequest, "the multipart body cannot be read: \(error.message)")
                }
            }
        }
        defer { pendingIndex += 1 }
        return pending[pendingIndex]
    }

    /// The whole body of the current part, refused (413) beyond `limit` bytes; for small parts only.
    func collectPart(named name: String, limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        while let event = try await nextEvent() {
            switch event {
            case .bytes(let chunk):
                bytes += chunk
                guard bytes.count <= limit else {
                    throw Problem(.contentTooLarge, "the \(name) part is larger than \(limit / 1024) KiB")
                }
            case .partEnd:
                return bytes
            case .partBegin, .end:
                break
            }
        }
        throw Problem(.badRequest, "the multipart body ended inside the \(name) part")
    }

    /// The current part's bytes as they arrive, ending at the part's end. The part must be the body's
    /// last: another part after it is an error, thrown before the sequence ends, so whoever reads it
    /// (a return's COPY) fails instead of storing something incomplete.
    func streamPart(named name: String) -> PartChunks {
        PartChunks(reader: self, name: name)
    }

    struct PartChunks: AsyncSequence {
        typealias Element = [UInt8]
        let reader: MultipartBodyReader
        let name: String

        struct AsyncIterator: AsyncIteratorProtocol {
            let reader: MultipartBodyReader
            let name: String
            var done = false

            mutating func next() async throws -> [UInt8]? {
                guard !done else { return nil }
                while let event = try await reader.nextEvent() {
                    switch event {
                    case .bytes(let chunk):
                        return chunk
                    case .partEnd:
                        done = true
                        while let after = try await reader.nextEvent() {
                            if case .partBegin(let headers) = after {
                                throw Problem(
                                    .badRequest,
                                    "the \(name) part must be the last part of the upload, but \(headers.name) follows it"
                                )
                            }
                        }
                        return nil
                    case .partBegin, .end:
                        break
                    }
                }
                throw Problem(.badRequest, "the multipart body ended inside the \(name) part")
            }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(reader: reader, name: name) }
    }
}
