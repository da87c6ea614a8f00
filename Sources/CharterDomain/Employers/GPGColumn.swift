import Foundation

/// The columns of the Gender Pay Gap service's CSV download that an employer register needs.
///
/// The download has 27 columns (and the service has added some over the years); the pay-gap
/// figures themselves are not part of the register, so only these are read and every other
/// column is ignored. Raw values are the service's spelling; headers match in any letter case.
enum GPGColumn: String, CaseIterable, Sendable {
    case employerName = "EmployerName"
    case employerID = "EmployerId"
    case address = "Address"
    case postcode = "PostCode"
    case companyNumber = "CompanyNumber"
    case sicCodes = "SicCodes"
    case responsiblePerson = "ResponsiblePerson"
    case employerSize = "EmployerSize"
    case currentName = "CurrentName"

    /// Without these no row can become an employer.
    var isRequired: Bool { self == .employerName || self == .employerID }

    /// The column a header cell names, ignoring letter case and surrounding spaces.
    init?(header cell: String) {
        let name = cell.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard let column = Self.allCases.first(where: { $0.rawValue.lowercased() == name }) else { return nil }
        self = column
    }
}
