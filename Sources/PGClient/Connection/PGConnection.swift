import CLibPQ
import Dispatch
import Foundation
public import Logging
import Synchronization

/// One PostgreSQL connection over libpq.
///
/// The actor runs on its own `ConnectionThread`, so libpq's blocking calls wait on that thread
/// and never on the cooperative pool: callers `await`, their threads stay free. Cancelling the
/// calling task, or a per-statement timeout, sends a cancel request (`PQcancel`) from another
/// thread; the statement then fails and the connection stays usable.
public actor PGConnection {
    private let thread: ConnectionThread
    private(set) var handle: OpaquePointer?
    private let canceller = PGCanceller()
    private let logger: Logger
    var statements = PGStatementCache()
    /// True only between a statement's results having been read with the connection idle and the
    /// next statement being sent: lets the pool see an idle connection without a hop to its thread.
    let idleAfterLastStatement = Atomic<Bool>(false)
    /// The socket, for a peek at pending input from any thread; -1 once closed.
    private let socket = Atomic<Int32>(-1)

    public nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    private init(logger: Logger) {
        self.thread = ConnectionThread(name: "pg-connection")
        self.logger = logger
    }

    isolated deinit {
        if let handle { PQfinish(handle) }
        thread.shutdown()
    }

    /// Opens a connection from a `postgresql://` URL or a libpq conninfo string.
    ///
    /// A connect timeout of 10 s applies unless the string sets `connect_timeout`.
    public static func connect(_ conninfo: String, logger: Logger = Logger(label: "pg")) async throws
        -> PGConnection
    {
        let connection = PGConnection(logger: logger)
        try await connection.open(conninfo)
        return connection
    }

    /// Opens a connection to `conninfo`, runs `body` on it and closes it whether `body` returns or throws:
    /// a connection of its own for one piece of work (a command, a test), which cannot be left open.
    public static func with<Result: Sendable>(
        _ conninfo: String, logger: Logger = Logger(label: "pg"), _ body: (PGConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await connect(conninfo, logger: logger)
        do {
            let result = try await body(connection)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }

    private func open(_ conninfo: String) throws {
        // Earlier keywords are defaults: the caller's string (expanded from `dbname`) overrides them.
        let keywords = ["connect_timeout", "fallback_application_name", "client_encoding", "dbname"]
        let values = ["10", "charterwatch", "UTF8", conninfo]
        let connection = withCStrings(keywords) { keywordPointers in
            withCStrings(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else {
            throw PGError(.connectionFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.errorMessage(connection)
            PQfinish(connection)
            throw PGError(.connectionFailed, message: message)
        }
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        handle = connection
        socket.store(PQsocket(connection), ordering: .releasing)
        canceller.replace(with: connection)
        // Fixed session settings make the text formats the decoders read predictable.
        try runSimple(
            "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'iso_8601'; "
                + "SET extra_float_digits = 3; SET bytea_output = 'hex'")
    }

    /// Closes the connection. Later calls fail with `.connectionClosed`.
    public func close() {
        idleAfterLastStatement.store(false, ordering: .releasing)
        socket.store(-1, ordering: .releasing)
        canceller.replace(with: nil)
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// Whether the connection is open and outside any transaction: the only state a pool keeps.
    public var isIdle: Bool {
        guard let handle, PQstatus(handle) == CONNECTION_OK else { return false }
        return PQtransactionStatus(handle) == PQTRANS_IDLE
    }

    /// Whether the last statement left the connection idle, with nothing sent since: a pool
    /// returning a connection reads this without waiting for the connection's thread. False means
    /// "ask `isIdle`", not "busy".
    public nonisolated var idleWithoutAsking: Bool { idleAfterLastStatement.load(ordering: .acquiring) }

    /// Whether the server has sent nothing since the last statement, seen from any thread with a
    /// zero-timeout poll of the socket. An idle connection with pending input is a goodbye (see
    /// `probeAlive`); with none it is as alive as a probe could tell.
    public nonisolated var quietSinceLastStatement: Bool {
        let descriptor = socket.load(ordering: .acquiring)
        guard descriptor >= 0 else { return false }
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) == 0
    }

    /// Whether the connection is unusable (closed, or lost by the server or network).
    public var isBroken: Bool {
        guard let handle else { return true }
        return PQstatus(handle) != CONNECTION_OK
    }

    /// Checks, without waiting, whether the server has closed this idle connection meanwhile
    /// (restart, `pg_terminate_backend`, idle timeout): pending input on an idle connection can
    /// only be a goodbye. Notifications are kept for `waitForNotifications`.
    public func probeAlive() -> Bool {
        guard let handle, PQstatus(handle) == CONNECTION_OK else { return false }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        // A terminated backend sends its FATAL message, then closes: read until nothing is left.
        for _ in 0..<4 where poll(&descriptor, 1, 0) > 0 {
            if PQconsumeInput(handle) == 0 || PQstatus(handle) != CONNECTION_OK { return false }
        }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// The server process id serving this connection. Readable while a statement runs.
    public nonisolated var backendPID: Int32 { canceller.backendPID }

    // MARK: Statements

    /// Runs a statement and returns its rows.
    ///
    /// - Parameter timeout: cancel the statement when it runs longer than this.
    @discardableResult
    public func query(_ query: PGQuery, timeout: Duration? = nil) async throws -> PGRows {
        let connection = try requireOpen()
        try Self.refuseNUL(in: query)
        let key = PGStatementCache.Key(query)
        guard query.isPrepared, let name = try prepare(key, on: connection) else {
            let sent = withBinds(query.binds) { binds in
                PQsendQueryParams(
                    connection, query.sql, Int32(query.binds.count), binds.types, binds.values, binds.lengths,
                    binds.formats, query.wantsBinaryResults ? 1 : 0)
            }
            guard sent == 1 else { throw connectionError(connection) }
            return try await awaitResults(connection, timeout: timeout)
        }
        let sent = withBinds(query.binds) { binds in
            PQsendQueryPrepared(
                connection, name, Int32(query.binds.count), binds.values, binds.lengths, binds.formats,
                query.wantsBinaryResults ? 1 : 0)
        }
        guard sent == 1 else { throw connectionError(connection) }
        do {
            return try await awaitResults(connection, timeout: timeout)
        } catch let error as PGError where error.sqlState == .featureNotSupported {
            // "cached plan must not change result type": a table the statement reads changed shape
            // since it was prepared. Forget it; outside a transaction nothing ran, so run it afresh.
            statements.forget(key)
            guard PQtransactionStatus(connection) == PQTRANS_IDLE else { throw error }
            return try await self.query(query.unprepared(), timeout: timeout)
        }
    }

    /// Refuses a text parameter holding NUL: sent as a C string, the value would silently end there.
    static func refuseNUL(in query: PGQuery) throws {
        if let index = query.binds.firstIndex(where: { $0.text?.utf8.contains(0) == true }) {
            throw PGError(
                .invalidBind,
                message: "parameter $\(index + 1) holds a NUL character, which PostgreSQL text cannot store")
        }
    }

    /// The name `key` is prepared under on this connection, preparing it first if it is not yet
    /// (after deallocating the least recently used statement when the cache is full); nil when it
    /// runs unprepared (the transaction has already failed). A statement the server will not prepare
    /// (a syntax error, an unknown table) fails here with the server's error, as it would have
    /// unprepared.
    func prepare(_ key: PGStatementCache.Key, on connection: OpaquePointer) throws -> String? {
        if let name = statements.name(for: key) { return name }
        guard PQtransactionStatus(connection) != PQTRANS_INERROR else { return nil }
        if let evicted = statements.evictIfFull() {
            // Not undone by a rollback; should it fail, the name is only leaked (names are never reused).
            try? runSimple("DEALLOCATE " + evicted)
        }
        let name = statements.reserveName()
        let types = key.types.map { Oid($0) }
        let result = types.withUnsafeBufferPointer { buffer in
            PQprepare(connection, name, key.sql, Int32(types.count), buffer.baseAddress)
        }
        guard let result else { throw connectionError(connection) }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else {
            throw Self.serverError(result, connection: connection)
        }
        statements.remember(key, as: name)
        return name
    }

    /// Runs a statement and returns how many rows it affected.
    @discardableResult
    public func execute(_ query: PGQuery, timeout: Duration? = nil) async throws -> Int {
        try await self.query(query, timeout: timeout).affectedRows
    }

    /// Runs one or more `;`-separated statements without parameters (a migration file, a script).
    public func simpleQuery(_ sql: String, timeout: Duration? = nil) async throws {
        let connection = try requireOpen()
        guard PQsendQuery(connection, sql) == 1 else { throw connectionError(connection) }
        _ = try await awaitResults(connection, timeout: timeout)
    }

    /// Waits for the results of the statement just sent, cancelling it on task cancellation or
    /// timeout. libpq blocks this connection's own thread, nothing else.
    private func awaitResults(_ connection: OpaquePointer, timeout: Duration?) async throws -> PGRows {
        let generation = canceller.arm()
        let timer = timeout.map { timeout -> DispatchWorkItem in
            let item = DispatchWorkItem { [canceller] in canceller.cancel(generation, becauseOfTimeout: true) }
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(timeout.nanoseconds)), execute: item)
            return item
        }
        let outcome = await withTaskCancellationHandler {
            collectResults(connection)
        } onCancel: { [canceller] in
            canceller.cancel(generation)
        }
        timer?.cancel()
        let timedOut = canceller.disarm(generation)
        switch outcome {
        case .success(let rows): return rows
        case .failure(let error):
            if error.sqlState == .queryCanceled {
                if timedOut {
                    throw PGError(
                        .statementTimeout, sqlState: error.sqlState,
                        message: "the statement ran longer than its timeout of \(timeout!) and was cancelled")
                }
                if Task.isCancelled { throw CancellationError() }
            }
            throw error
        }
    }

    /// Reads every result of the statement in flight; returns the last rows or the first error.
    private func collectResults(_ connection: OpaquePointer) -> Result<PGRows, PGError> {
        var outcome: Result<PGRows, PGError> = .success(.empty)
        var failed = false
        while let result = PQgetResult(connection) {
            defer { PQclear(result) }
            let status = PQresultStatus(result)
            if failed { continue }
            switch status {
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                outcome = .success(Self.rows(from: result))
            case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
                // COPY belongs in copyFrom(); end it so the connection stays usable.
                _ = PQputCopyEnd(connection, "COPY is only supported through copyFrom")
                failed = true
                outcome = .failure(
                    PGError(.unexpectedResponse, message: "COPY statements must be run with copyFrom"))
            default:
                failed = true
                outcome = .failure(Self.serverError(result, connection: connection))
            }
        }
        if case .success = outcome, PQstatus(connection) != CONNECTION_OK {
            return .failure(connectionError(connection))
        }
        idleAfterLastStatement.store(
            PQstatus(connection) == CONNECTION_OK && PQtransactionStatus(connection) == PQTRANS_IDLE,
            ordering: .releasing)
        return outcome
    }

    // MARK: COPY

    /// Streams rows into `COPY … FROM STDIN`.
    ///
    /// The body writes rows in the COPY format the statement names (text or CSV) through the
    /// writer, which is valid only inside the body. If the body throws, the COPY is aborted with
    /// CopyFail, nothing is stored, and the body's error is rethrown.
    ///
    /// - Returns: the number of rows the server copied.
    public func copyFrom(
        _ statement: PGQuery,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PGCopyWriter) async throws -> Void
    ) async throws -> Int {
        try await beginCopy(statement)
        let writer = PGCopyWriter(connection: self)
        do {
            try await body(writer)
            try await writer.flush()
            try await writer.drain()
        } catch {
            // No chunk may still be on its way when the COPY is ended.
            try? await writer.drain()
            _ = try? await endCopy(failure: "COPY aborted by the client (\(type(of: error)))")
            throw error
        }
        return try await endCopy(failure: nil)
    }

    private func beginCopy(_ statement: PGQuery) throws {
        let connection = try requireOpen()
        let sent = withBinds(statement.binds) { binds in
            PQsendQueryParams(
                connection, statement.sql, Int32(statement.binds.count), binds.types, binds.values, binds.lengths,
                binds.formats, 0)
        }
        guard sent == 1 else { throw connectionError(connection) }
        guard let result = PQgetResult(connection) else {
            throw PGError(.unexpectedResponse, message: "the server sent no result for the COPY statement")
        }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COPY_IN else {
            let error: PGError =
                PQresultStatus(result) == PGRES_FATAL_ERROR
                ? Self.serverError(result, connection: connection)
                : PGError(.unexpectedResponse, message: "the statement is not COPY … FROM STDIN")
            // Drain whatever else the statement produced.
            while let extra = PQgetResult(connection) { PQclear(extra) }
            throw error
        }
    }

    func putCopyData(_ bytes: [UInt8]) throws {
        let connection = try requireOpen()
        let status = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                PQputCopyData(connection, chars.baseAddress, Int32(chars.count))
            }
        }
        guard status == 1 else { throw connectionError(connection) }
    }

    private func endCopy(failure: String?) throws -> Int {
        let connection = try requireOpen()
        guard PQputCopyEnd(connection, failure) == 1 else { throw connectionError(connection) }
        switch collectResults(connection) {
        case .success(let rows): return rows.affectedRows
        case .failure(let error): throw error
        }
    }

    // MARK: LISTEN / NOTIFY

    /// Waits up to `timeout` for notifications on this connection and returns those that arrived.
    func waitForNotifications(timeout: Duration) throws -> [PGNotification] {
        let connection = try requireOpen()
        var received = drainNotifications(connection)
        guard received.isEmpty else { return received }
        var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(timeout.nanoseconds / 1_000_000)
        let ready = poll(&descriptor, 1, milliseconds)
        if ready > 0 {
            guard PQconsumeInput(connection) == 1 else { throw connectionError(connection) }
            received = drainNotifications(connection)
        }
        guard PQstatus(connection) == CONNECTION_OK else { throw connectionError(connection) }
        return received
    }

    private func drainNotifications(_ connection: OpaquePointer) -> [PGNotification] {
        var out: [PGNotification] = []
        while let notify = PQnotifies(connection) {
            out.append(
                PGNotification(
                    channel: String(cString: notify.pointee.relname), payload: String(cString: notify.pointee.extra),
                    senderPID: notify.pointee.be_pid))
            PQfreemem(notify)
        }
        return out
    }

    // MARK: Helpers

    /// The handle for a call about to use it; until its results are read, the pool must ask.
    private func requireOpen() throws -> OpaquePointer {
        idleAfterLastStatement.store(false, ordering: .releasing)
        guard let handle else { throw PGError(.connectionClosed, message: "the connection is closed") }
        return handle
    }

    /// Rolls back whatever transaction is open. Not cancellable: a cancelled task must still
    /// leave the connection clean.
    func rollbackIfOpen() {
        guard !isBroken, !isIdle else { return }
        try? runSimple("ROLLBACK")
    }

    private func runSimple(_ sql: String) throws {
        let connection = try requireOpen()
        guard PQsendQuery(connection, sql) == 1 else { throw connectionError(connection) }
        if case .failure(let error) = collectResults(connection) { throw error }
    }

    func connectionError(_ connection: OpaquePointer) -> PGError {
        PGError(.connectionClosed, message: Self.errorMessage(connection))
    }

    private static func errorMessage(_ connection: OpaquePointer) -> String {
        guard let text = PQerrorMessage(connection) else { return "unknown libpq error" }
        return String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func field(_ result: OpaquePointer, _ code: Character) -> String? {
        guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
        return String(cString: value)
    }

    static func serverError(_ result: OpaquePointer, connection: OpaquePointer) -> PGError {
        guard let state = field(result, "C") else {
            return PGError(.connectionClosed, message: errorMessage(connection))
        }
        return PGError(
            .server, sqlState: SQLState(rawValue: state), message: field(result, "M") ?? "",
            detail: field(result, "D"), hint: field(result, "H"), constraint: field(result, "n"),
            schema: field(result, "s"), table: field(result, "t"), column: field(result, "c"),
            position: field(result, "P").flatMap { Int($0) })
    }

    static func rows(from result: OpaquePointer) -> PGRows {
        let fieldCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        var columns: [PGColumn] = []
        columns.reserveCapacity(fieldCount)
        for index in 0..<fieldCount {
            columns.append(
                PGColumn(
                    name: String(cString: PQfname(result, Int32(index))),
                    type: PGType(rawValue: PQftype(result, Int32(index))),
                    isBinary: PQfformat(result, Int32(index)) == 1))
        }
        let cellCount = fieldCount * rowCount
        var cells: [PGRows.Cell] = []
        cells.reserveCapacity(cellCount)
        var total = 0
        for row in 0..<Int32(rowCount) {
            for column in 0..<Int32(fieldCount) {
                if PQgetisnull(result, row, column) == 1 {
                    cells.append(PGRows.Cell(start: total, length: -1))
                } else {
                    let length = PQgetlength(result, row, column)
                    cells.append(PGRows.Cell(start: total, length: length))
                    total += Int(length)
                }
            }
        }
        // One copy of every cell's text into one buffer (libpq's result is freed after this).
        let bytes = [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            var index = 0
            for row in 0..<Int32(rowCount) {
                for column in 0..<Int32(fieldCount) {
                    let cell = cells[index]
                    index += 1
                    guard cell.length > 0, let value = PQgetvalue(result, row, column) else { continue }
                    UnsafeMutableRawPointer(buffer.baseAddress! + cell.start).copyMemory(
                        from: value, byteCount: Int(cell.length))
                }
            }
            initialized = total
        }
        let tag = String(cString: PQcmdStatus(result))
        let affected = Int(String(cString: PQcmdTuples(result))) ?? rowCount
        return PGRows(columns: columns, bytes: bytes, cells: cells, commandTag: tag, affectedRows: affected)
    }
}

/// What libpq wants for a statement's parameters: their types, values, and — only when some value is
/// sent in binary — each value's length and format (nil, nil means all text).
struct BindPointers {
    var types: UnsafePointer<Oid>?
    var values: UnsafePointer<UnsafePointer<CChar>?>?
    var lengths: UnsafePointer<Int32>?
    var formats: UnsafePointer<Int32>?
}

/// Calls `body` with the parameters as libpq wants them; all pointers live only for the call.
func withBinds<R>(_ binds: [PGBind], _ body: (BindPointers) -> R) -> R {
    let types = binds.map { Oid($0.type.rawValue) }
    var storage: [UnsafeMutablePointer<CChar>?] = binds.map { bind in
        guard let binary = bind.binary else { return bind.text.flatMap { strdup($0) } }
        // Copied (malloc, freed with the text copies) so every value lives as long as the call.
        let copy = malloc(max(binary.count, 1))!.assumingMemoryBound(to: CChar.self)
        binary.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress {
                UnsafeMutableRawPointer(copy).copyMemory(from: base, byteCount: bytes.count)
            }
        }
        return copy
    }
    defer { storage.forEach { free($0) } }
    let binary = binds.contains { $0.binary != nil }
    // Built only for a statement with a binary value; every other query (nearly all) allocates neither.
    let lengths = binary ? binds.map { Int32($0.binary?.count ?? 0) } : []
    let formats = binary ? binds.map { $0.binary == nil ? Int32(0) : Int32(1) } : []
    return types.withUnsafeBufferPointer { typeBuffer in
        lengths.withUnsafeBufferPointer { lengthBuffer in
            formats.withUnsafeBufferPointer { formatBuffer in
                storage.withUnsafeMutableBufferPointer { valueBuffer in
                    valueBuffer.baseAddress!.withMemoryRebound(
                        to: UnsafePointer<CChar>?.self, capacity: max(binds.count, 1)
                    ) { values in
                        body(
                            BindPointers(
                                types: typeBuffer.baseAddress, values: binds.isEmpty ? nil : values,
                                lengths: binary ? lengthBuffer.baseAddress : nil,
                                formats: binary ? formatBuffer.baseAddress : nil))
                    }
                }
            }
        }
    }
}

private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { pointers.forEach { free($0) } }
    return pointers.withUnsafeMutableBufferPointer { buffer in
        buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buffer.count) { body($0) }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
