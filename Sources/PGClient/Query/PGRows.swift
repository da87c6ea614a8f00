import Foundation

/// One column of a result: its name and PostgreSQL type.
public struct PGColumn: Sendable, Hashable {
    public var name: String
    public var type: PGType
}

/// The rows a statement returned, copied out of libpq's result so they outlive it.
///
/// Every cell's text sits in one byte buffer, so a result costs two allocations however many cells
/// it has; a cell becomes a Swift value only when it is decoded, and numbers and instants are read
/// from the bytes without becoming a `String` first.
public struct PGRows: Sendable, RandomAccessCollection {
    public let columns: [PGColumn]
    /// The command tag, e.g. `INSERT 0 3` or `COPY 100000`.
    public let commandTag: String
    /// Rows inserted, updated, deleted, copied or selected, as the command tag reports them.
    public let affectedRows: Int
    /// The text of every cell, row after row.
    let bytes: [UInt8]
    /// Where each cell's text starts in `bytes` and how long it is; a length of -1 is SQL NULL.
    let cells: [Cell]
    /// Column positions by name, for results too wide to search (see `position(of:)`).
    let columnIndex: [String: Int]

    struct Cell: Sendable {
        var start: Int
        var length: Int32
    }

    /// Results up to this wide find a column by comparing names, which beats hashing the name.
    private static let searchedWidth = 16

    init(columns: [PGColumn], bytes: [UInt8], cells: [Cell], commandTag: String, affectedRows: Int) {
        self.columns = columns
        self.bytes = bytes
        self.cells = cells
        self.commandTag = commandTag
        self.affectedRows = affectedRows
        var index: [String: Int] = [:]
        if columns.count > Self.searchedWidth {
            for (offset, column) in columns.enumerated() where index[column.name] == nil {
                index[column.name] = offset
            }
        }
        self.columnIndex = index
    }

    static let empty = PGRows(columns: [], bytes: [], cells: [], commandTag: "", affectedRows: 0)

    public var startIndex: Int { 0 }
    public var endIndex: Int { columns.isEmpty ? 0 : cells.count / columns.count }
    public subscript(position: Int) -> PGRow { PGRow(rows: self, row: position) }

    /// The position of the first column called `name`.
    func position(of name: String) -> Int? {
        guard columns.count > Self.searchedWidth else { return columns.firstIndex { $0.name == name } }
        return columnIndex[name]
    }
}

/// One row of a result. Columns are decoded by position or by name into typed Swift values.
public struct PGRow: Sendable {
    let rows: PGRows
    let row: Int

    public var columns: [PGColumn] { rows.columns }

    /// Decodes the column at `index`.
    public func decode<Value: PGDecodable>(_ type: Value.Type = Value.self, at index: Int) throws -> Value {
        let columns = rows.columns
        guard index >= 0, index < columns.count else {
            throw PGError(
                .decoding, message: "the result has \(columns.count) column(s); there is no column \(index)")
        }
        let column = columns[index]
        guard Value.accepts(column.type) else {
            throw PGError(
                .decoding, message: "column \"\(column.name)\" is \(column.type); it cannot be read as \(Value.self)",
                column: column.name)
        }
        let cell = rows.cells[row * columns.count + index]
        do throws(PGDecodingFailure) {
            guard cell.length >= 0 else { return try Value.decodeNull() }
            return try rows.bytes.withUnsafeBufferPointer { (all) throws(PGDecodingFailure) -> Value in
                let text = UnsafeBufferPointer(rebasing: all[cell.start..<(cell.start + Int(cell.length))])
                return try Value.decode(pgBytes: text, type: column.type)
            }
        } catch {
            throw PGError(
                .decoding, message: "column \"\(column.name)\" \(error.reason) (reading it as \(Value.self))",
                column: column.name)
        }
    }

    /// Decodes the column called `name`.
    public func decode<Value: PGDecodable>(_ type: Value.Type = Value.self, column name: String) throws -> Value {
        guard let index = rows.position(of: name) else {
            throw PGError(.decoding, message: "the result has no column \"\(name)\"", column: name)
        }
        return try decode(type, at: index)
    }

    /// Decodes a `json` or `jsonb` column into a `Decodable` value.
    public func decodeJSON<Value: Codable & Sendable>(_ type: Value.Type, column name: String) throws -> Value {
        try decode(PGJSON<Value>.self, column: name).value
    }

    /// Whether the column called `name` is SQL NULL.
    public func isNull(column name: String) -> Bool {
        guard let index = rows.position(of: name) else { return true }
        return rows.cells[row * rows.columns.count + index].length < 0
    }
}
