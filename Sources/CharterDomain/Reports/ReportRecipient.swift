/// Someone a report is addressed to: a person's name (may be empty) and email address.
public struct ReportRecipient: Sendable, Hashable, Codable {
    public var name: String
    public var email: String

    public init(name: String, email: String) {
        self.name = name
        self.email = email
    }
}
