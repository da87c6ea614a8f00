/// Writes the data of a `COPY … FROM STDIN` inside `PGConnection.copyFrom`.
///
/// Buffers writes and hands the connection 256 KiB at a time, so a row-at-a-time producer costs
/// one actor hop per chunk, not per row. One chunk may be on its way to the server (sent by the
/// connection's own thread) while the producer prepares the next, so parsing and sending overlap.
/// Valid only inside the `copyFrom` body.
public final class PGCopyWriter {
    private let connection: PGConnection
    private var buffer: [UInt8] = []
    private var inFlight: Task<Void, any Error>?
    private static let chunkSize = 256 * 1024

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

    /// Starts sending what is buffered, once the chunk before it has gone.
    public func flush() async throws {
        guard !buffer.isEmpty else { return }
        try await drain()
        let chunk = buffer
        buffer.removeAll(keepingCapacity: true)
        let connection = self.connection
        inFlight = Task { try await connection.putCopyData(chunk) }
    }

    /// Waits until the chunk on its way has been handed to libpq (or failed).
    func drain() async throws {
        let sending = inFlight
        inFlight = nil
        try await sending?.value
    }
}
