/// A PostgreSQL type, by OID, with the built-in types the client encodes and decodes named.
public struct PGType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// "Let the server infer the type" when used for a bind.
    public static let unspecified = PGType(rawValue: 0)
    public static let bool = PGType(rawValue: 16)
    public static let bytea = PGType(rawValue: 17)
    public static let char = PGType(rawValue: 18)
    public static let name = PGType(rawValue: 19)
    public static let int8 = PGType(rawValue: 20)
    public static let int2 = PGType(rawValue: 21)
    public static let int4 = PGType(rawValue: 23)
    public static let text = PGType(rawValue: 25)
    public static let oid = PGType(rawValue: 26)
    public static let json = PGType(rawValue: 114)
    public static let float4 = PGType(rawValue: 700)
    public static let float8 = PGType(rawValue: 701)
    public static let unknown = PGType(rawValue: 705)
    public static let bpchar = PGType(rawValue: 1042)
    public static let varchar = PGType(rawValue: 1043)
    public static let date = PGType(rawValue: 1082)
    public static let timestamp = PGType(rawValue: 1114)
    public static let timestamptz = PGType(rawValue: 1184)
    public static let numeric = PGType(rawValue: 1700)
    public static let uuid = PGType(rawValue: 2950)
    public static let jsonb = PGType(rawValue: 3802)
    public static let void = PGType(rawValue: 2278)

    public static let boolArray = PGType(rawValue: 1000)
    public static let byteaArray = PGType(rawValue: 1001)
    public static let int2Array = PGType(rawValue: 1005)
    public static let int4Array = PGType(rawValue: 1007)
    public static let textArray = PGType(rawValue: 1009)
    public static let bpcharArray = PGType(rawValue: 1014)
    public static let varcharArray = PGType(rawValue: 1015)
    public static let int8Array = PGType(rawValue: 1016)
    public static let float4Array = PGType(rawValue: 1021)
    public static let float8Array = PGType(rawValue: 1022)
    public static let timestampArray = PGType(rawValue: 1115)
    public static let dateArray = PGType(rawValue: 1182)
    public static let timestamptzArray = PGType(rawValue: 1185)
    public static let numericArray = PGType(rawValue: 1231)
    public static let uuidArray = PGType(rawValue: 2951)
    public static let jsonArray = PGType(rawValue: 199)
    public static let jsonbArray = PGType(rawValue: 3807)

    /// The element type of a built-in array type, or nil.
    public var arrayElement: PGType? { Self.elementOfArray[self] }

    private static let elementOfArray: [PGType: PGType] = [
        .boolArray: .bool, .byteaArray: .bytea, .int2Array: .int2, .int4Array: .int4, .textArray: .text,
        .bpcharArray: .bpchar, .varcharArray: .varchar, .int8Array: .int8, .float4Array: .float4,
        .float8Array: .float8, .timestampArray: .timestamp, .dateArray: .date,
        .timestamptzArray: .timestamptz, .numericArray: .numeric, .uuidArray: .uuid, .jsonArray: .json,
        .jsonbArray: .jsonb,
    ]

    private static let names: [PGType: String] = [
        .bool: "boolean", .bytea: "bytea", .char: "\"char\"", .name: "name", .int8: "bigint", .int2: "smallint",
        .int4: "integer", .text: "text", .oid: "oid", .json: "json", .float4: "real", .float8: "double precision",
        .unknown: "unknown", .bpchar: "character", .varchar: "character varying", .date: "date",
        .timestamp: "timestamp", .timestamptz: "timestamptz", .numeric: "numeric", .uuid: "uuid",
        .jsonb: "jsonb", .void: "void",
    ]

    public var description: String {
        if let name = Self.names[self] { return name }
        if let element = arrayElement { return "\(element)[]" }
        return "type oid \(rawValue)"
    }

    /// Types whose text form is just the text: what `String` decodes from.
    var isTextLike: Bool {
        self == .text || self == .varchar || self == .bpchar || self == .name || self == .unknown
            || self == .char || rawValue >= 16384  // user-defined: enums, citext, …
    }
}
