/// A person at an employer who receives its digests and reminders.
public struct EmployerContact: Sendable, Hashable, Codable {
    public var id: Int64
    public var employerID: Int64
    public var name: String
    public var email: String
    /// What they do there, e.g. "HR manager"; nil when not given.
    public var role: String?

    public init(id: Int64, employerID: Int64, name: String, email: String, role: String?) {
        self.id = id
        self.employerID = employerID
        self.name = name
        self.email = email
        self.role = role
    }

    enum CodingKeys: String, CodingKey {
        case id
        case employerID = "employer_id"
        case name, email, role
    }
}
