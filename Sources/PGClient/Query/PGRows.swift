import Foundation

/// One column of a result: its name, PostgreSQL type, and whether its values came in binary (see
/// `PGQuery.binaryResults()`) or, as usual, as text.
public struct PGColumn: Sendable, Hashable {
    public var name: String
    public var type: PGType
    public var isBinary = false
}

/// The rows a statement returned, copied out of libpq's result so they outlive it.
///
/// Every cell's text sits in one byte buffer, so a result costs two allocations however many cells
/// it has; a cell becomes a Swift value only when it is decoded, and numbers and instants are read
/// from the bytes without becoming a `String` first.
public struct PGRows: Sendable, RandomAccessCollection {
    /// The command tag, e.g. `INSERT 0 3` or `COPY 100000`.
    public let commandTag: String
    /// Rows inserted, updated, deleted, copied or selected, as the command tag reports them.
    public let affectedRows: Int
    /// The cells, behind one reference: a `PGRow` then costs one retain and release, not one per
    /// array (a page of flags makes fifty rows and decodes five hundred cells).
    @usableFromInline let storage: Storage

    public var columns: [PGColumn] { storage.columns }

    @usableFromInline final class Storage: Sendable {
        @usableFromInline let columns: [PGColumn]
        /// The text of every cell, row after row.
        @usableFromInline let bytes: [UInt8]
        /// Where each cell's text starts in `bytes` and how long it is; a length of -1 is SQL NULL.
        @usableFromInline let cells: [Cell]
        /// Column positions by name, for results too wide to search (see `position(of:)`).
        let columnIndex: [String: Int]

        init(columns: [PGColumn], bytes: [UInt8], cells: [Cell]) {
            self.columns = columns
            self.bytes = bytes
            self.cells = cells
            var index: [String: Int] = [:]
            if columns.count > PGRows.searchedWidth {
                for (offset, column) in columns.enumerated() where index[column.name] == nil {
                    index[column.name] = offset
                }
            }
            self.columnIndex = index
        }

        /// The position of the first column called `name`.
        func position(of name: String) -> Int? {
            guard columns.count > PGRows.searchedWidth else { return columns.firstIndex { $0.name == name } }
            return columnIndex[name]
        }

        /// `position(of:)`, or an error naming the column the result does not have.
        func index(ofColumn name: String) throws -> Int {
            guard let index = position(of: name) else {
                throw PGError(.decoding, message: "the result has no column \"\(name)\"", column: name)
            }
            return index
        }
    }

    @usableFromInline struct Cell: Sendable {
        @usableFromInline var start: Int
        @usableFromInline var length: Int32
    }

    /// Results up to this wide find a column by comparing names, which beats hashing the name.
    fileprivate static let searchedWidth = 16

    init(columns: [PGColumn], bytes: [UInt8], cells: [Cell], commandTag: String, affectedRows: Int) {
        self.storage = Storage(columns: columns, bytes: bytes, cells: cells)
        self.commandTag = commandTag
        self.affectedRows = affectedRows
    }

    static let empty = PGRows(columns: [], bytes: [], cells: [], commandTag: "", affectedRows: 0)

    /// The index of the column called `name`: found once, it decodes every row by index
    /// (`PGRow.decode(_:at:)`) instead of finding the name again for each value of a large result.
    public func index(ofColumn name: String) throws -> Int {
        try storage.index(ofColumn: name)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.columns.isEmpty ? 0 : storage.cells.count / storage.columns.count }
    public subscript(position: Int) -> PGRow { PGRow(storage: storage, row: position) }
}

/// One row of a result. Columns are decoded by position or by name into typed Swift values.
public struct PGRow: Sendable {
    @usableFromInline let storage: PGRows.Storage
    @usableFromInline let row: Int

    public var columns: [PGColumn] { storage.columns }

    /// Decodes the column at `index`.
    ///
    /// Inlinable, so a caller's `decode(Int64.self, at: 0)` is specialised for its type: a page of flags
    /// decodes five hundred cells, and the generic call through witness tables showed in profiles.
    @inlinable
    public func decode<Value: PGDecodable>(_ type: Value.Type = Value.self, at index: Int) throws -> Value {
        let columns = storage.columns
        guard index >= 0, index < columns.count else { throw noColumn(index) }
        let column = columns[index]
        guard Value.accepts(column.type) else { throw cannotRead(column, as: Value.self) }
        let cell = storage.cells[row * columns.count + index]
        do throws(PGDecodingFailure) {
            guard cell.length >= 0 else { return try Value.decodeNull() }
            return try storage.bytes.withUnsafeBufferPointer { (all) throws(PGDecodingFailure) -> Value in
                let bytes = UnsafeBufferPointer(rebasing: all[cell.start..<(cell.start + Int(cell.length))])
                return column.isBinary
                    ? try Value.decode(pgBinary: bytes, type: column.type)
                    : try Value.decode(pgBytes: bytes, type: column.type)
            }
        } catch {
            throw failed(column, error, as: Value.self)
        }
    }

    @usableFromInline
    func noColumn(_ index: Int) -> PGError {
        PGError(.decoding, message: "the result has \(columns.count) column(s); there is no column \(index)")
    }

    @usableFromInline
    func cannotRead(_ column: PGColumn, as type: Any.Type) -> PGError {
        PGError(
            .decoding, message: "column \"\(column.name)\" is \(column.type); it cannot be read as \(type)",
            column: column.name)
    }

    @usableFromInline
    func failed(_ column: PGColumn, _ failure: PGDecodingFailure, as type: Any.Type) -> PGError {
        PGError(
            .decoding, message: "column \"\(column.name)\" \(failure.reason) (reading it as \(type))",
            column: column.name)
    }

    /// Decodes the column called `name`.
    public func decode<Value: PGDecodable>(_ type: Value.Type = Value.self, column name: String) throws -> Value {
        try decode(type, at: storage.index(ofColumn: name))
    }

    /// Decodes a `json` or `jsonb` column into a `Decodable` value.
    public func decodeJSON<Value: Codable & Sendable>(_ type: Value.Type, column name: String) throws -> Value {
        try decode(PGJSON<Value>.self, column: name).value
    }

    /// Whether the column called `name` is SQL NULL.
    public func isNull(column name: String) -> Bool {
        guard let index = storage.position(of: name) else { return true }
        return storage.cells[row * storage.columns.count + index].length < 0
    }
}
