public import Foundation

/// A union rep and the employers they cover (a rep sees only those employers' data).
public struct Rep: Sendable, Hashable, Codable {
    public var id: Int64
    public var name: String
    public var email: String
    /// The union the rep belongs to, when given.
    public var unionName: String?
    /// The ids of the employers the rep covers, ascending.
    public var coveredEmployerIDs: [Int64]
    public var createdAt: Date

    public init(
        id: Int64, name: String, email: String, unionName: String?, coveredEmployerIDs: [Int64], createdAt: Date
    ) {
        self.id = id
        self.name = name
        self.email = email
        self.unionName = unionName
        self.coveredEmployerIDs = coveredEmployerIDs
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, email
        case unionName = "union_name"
        case coveredEmployerIDs = "covered_employer_ids"
        case createdAt = "created_at"
    }
}
