/// Writes the data of a `COPY … FROM STDIN` inside `PGConnection.copyFrom`.
///
/// Buffers writes and hands the connection 256 KiB at a time, so a row-at-a-time producer costs
/// one actor hop per chunk, not per row. Valid only inside the `copyFrom` body.
public final class PGCopyWriter {
    private let connection: PGConnection
    private var buffer: [UInt8] = []
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

    /// Sends what is buffered.
    public func flush() async throws {
        guard !buffer.isEmpty else { return }
        let chunk = buffer
        buffer.removeAll(keepingCapacity: true)
        try await connection.putCopyData(chunk)
    }
}
