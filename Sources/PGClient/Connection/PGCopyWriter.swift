/// Writes the data of a `COPY … FROM STDIN` inside `PGConnection.copyFrom`.
///
/// Buffers writes and hands the connection 256 KiB at a time, so a row-at-a-time producer costs
/// one actor hop per chunk, not per row. Up to `depth` chunks may be on their way to the server (sent, in
/// order, by the connection's own thread) while the producer prepares the next, so parsing and sending
/// overlap even where one of them is slower for a while. Valid only inside the `copyFrom` body.
public final class PGCopyWriter {
    private let connection: PGConnection
    private var buffer: [UInt8] = []
    /// The chunks on their way, oldest first; each is sent after the one before it.
    private var inFlight: [Task<Void, any Error>] = []
    private static let chunkSize = 256 * 1024
    private static let depth = 4

    init(connection: PGConnection) {
        self.connection = connection
        buffer.reserveCapacity(Self.chunkSize + 4096)
    }

    /// Appends text (one or more complete or partial rows).
    public func write(_ text: String) async throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.chunkSize { try await flush() }
    }

    /// Appends raw bytes (one or more complete or partial rows).
    public func write<Bytes: Sequence<UInt8>>(bytes: Bytes) async throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.chunkSize { try await flush() }
    }

    /// Starts sending what is buffered, after the chunks before it; waits first while `depth` are on their way.
    public func flush() async throws {
        guard !buffer.isEmpty else { return }
        if inFlight.count >= Self.depth { try await inFlight.removeFirst().value }
        let chunk = buffer
        buffer.removeAll(keepingCapacity: true)
        let connection = self.connection
        let before = inFlight.last
        inFlight.append(
            Task {
                try await before?.value
                try await connection.putCopyData(chunk)
            })
    }

    /// Waits until every chunk on its way has been handed to libpq or failed (a chunk after a failed one is
    /// not sent), and throws the first failure.
    func drain() async throws {
        let sending = inFlight
        inFlight = []
        var failure: (any Error)?
        for task in sending {
            do { try await task.value } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }
}
