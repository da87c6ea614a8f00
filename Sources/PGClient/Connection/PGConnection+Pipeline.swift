import CLibPQ
import Synchronization

/// Serving `PGPool.query`'s queue: several callers' statements sent as one pipeline.
extension PGConnection {
    /// Runs the statements queued in `queue`, a batch at a time, until none is left, on this
    /// connection's thread.
    ///
    /// - Returns: true when the runner should give the connection back and lease one again — the
    ///   connection broke, or it has served its turn while a lease waits; false when the queue was
    ///   empty and the runner has stopped.
    func serve(_ queue: PGStatementQueue, pool: PGPool) -> Bool {
        var served = 0
        while true {
            if isBroken { return true }
            if served >= PGStatementQueue.turnLength, pool.statistics.waiting > 0 { return true }
            guard let batch = queue.nextBatch() else { return false }
            if let report = pool.configuration.onStatementWait {
                let now = ContinuousClock.now
                for entry in batch { if let queuedAt = entry.queuedAt { report(now - queuedAt) } }
            }
            runPipeline(batch)
            served += batch.count
        }
    }

    /// What one pipelined statement came to.
    private enum PipelinedOutcome {
        case rows(PGRows)
        case failed(PGError)
        /// Not run: an earlier statement of the pipeline failed.
        case aborted
        /// The connection is gone.
        case lost(PGError)
    }

    /// Sends `batch` as one pipeline (each statement, then one Sync), hands each caller its result
    /// as it is read, and runs again what an earlier statement's failure aborted.
    ///
    /// The pipeline is one implicit transaction, as a multi-statement query would be: a failing
    /// statement aborts those after it, which are then sent again without it. The statements are
    /// the pool's standalone ones, each its own snapshot (read committed), so that changes nothing
    /// they see. A sent pipeline is not cancelled: its statements are short reads.
    private func runPipeline(_ batch: [PGStatementQueue.Entry]) {
        guard let connection = handle, PQstatus(connection) == CONNECTION_OK,
            PQtransactionStatus(connection) == PQTRANS_IDLE
        else {
            let error = PGError(.connectionClosed, message: "the connection is closed or inside a transaction")
            for entry in batch { entry.continuation.resume(throwing: error) }
            return
        }
        idleAfterLastStatement.store(false, ordering: .releasing)
        // Prepared before the pipeline: preparing is a round trip of its own, once per connection.
        var sending: [(entry: PGStatementQueue.Entry, name: String?)] = []
        for entry in batch {
            do {
                try Self.refuseNUL(in: entry.query)
                let name = entry.query.isPrepared ? try prepare(PGStatementCache.Key(entry.query), on: connection) : nil
                sending.append((entry, name))
            } catch {
                entry.continuation.resume(throwing: error)
            }
        }
        guard !sending.isEmpty else {
            idleAfterLastStatement.store(true, ordering: .releasing)
            return
        }
        guard PQenterPipelineMode(connection) == 1 else {
            let error = connectionError(connection)
            for item in sending { item.entry.continuation.resume(throwing: error) }
            return
        }
        var sent = 0
        for (entry, name) in sending {
            let query = entry.query
            let status = withBinds(query.binds) { binds in
                if let name {
                    PQsendQueryPrepared(
                        connection, name, Int32(query.binds.count), binds.values, binds.lengths, binds.formats,
                        query.wantsBinaryResults ? 1 : 0)
                } else {
                    PQsendQueryParams(
                        connection, query.sql, Int32(query.binds.count), binds.types, binds.values, binds.lengths,
                        binds.formats, query.wantsBinaryResults ? 1 : 0)
                }
            }
            guard status == 1 else { break }
            sent += 1
        }
        var again: [PGStatementQueue.Entry] = []
        var delivered = 0
        if PQpipelineSync(connection) == 1 {
            reading: for (entry, name) in sending[..<sent] {
                switch readPipelined(connection) {
                case .rows(let rows):
                    entry.continuation.resume(returning: rows)
                case .failed(let error) where name != nil && error.sqlState == .featureNotSupported:
                    // "cached plan must not change result type": forget the plan, send the text.
                    statements.forget(PGStatementCache.Key(entry.query))
                    again.append(entry.with(entry.query.unprepared()))
                case .failed(let error):
                    entry.continuation.resume(throwing: error)
                case .aborted:
                    again.append(entry)
                case .lost:
                    break reading
                }
                delivered += 1
            }
            if delivered == sent, let sync = PQgetResult(connection) {
                PQclear(sync)
            }
        }
        let usable = PQexitPipelineMode(connection) == 1 && PQstatus(connection) == CONNECTION_OK
        if delivered < sending.count {
            let error =
                usable ? PGError(.unexpectedResponse, message: "the pipeline ended early") : connectionError(connection)
            for (entry, _) in sending[delivered...] { entry.continuation.resume(throwing: error) }
        }
        guard usable else {
            // Whatever state libpq is in, nothing else may be sent on it: the pool will discard it.
            close()
            for entry in again {
                entry.continuation.resume(throwing: PGError(.connectionClosed, message: "the connection was lost"))
            }
            return
        }
        idleAfterLastStatement.store(PQtransactionStatus(connection) == PQTRANS_IDLE, ordering: .releasing)
        if !again.isEmpty { runPipeline(again) }
    }

    /// Reads one pipelined statement's results, up to the end of them.
    private func readPipelined(_ connection: OpaquePointer) -> PipelinedOutcome {
        var outcome: PipelinedOutcome?
        var read = false
        while let result = PQgetResult(connection) {
            defer { PQclear(result) }
            // Only the first result counts; the rest are read to reach the end of the statement's.
            guard !read else { continue }
            read = true
            switch PQresultStatus(result) {
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                outcome = .rows(Self.rows(from: result))
            case PGRES_PIPELINE_ABORTED:
                outcome = .aborted
            case PGRES_FATAL_ERROR:
                outcome = .failed(Self.serverError(result, connection: connection))
            default:
                outcome = .failed(
                    PGError(.unexpectedResponse, message: "COPY and other exchanges cannot run through PGPool.query"))
            }
        }
        guard PQstatus(connection) == CONNECTION_OK else { return .lost(connectionError(connection)) }
        return outcome ?? .failed(PGError(.unexpectedResponse, message: "the server sent no result for the statement"))
    }
}
