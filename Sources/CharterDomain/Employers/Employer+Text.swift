extension Employer {
    /// Refuses an employer whose name, address, postcode, size band or SIC codes are too long or hold
    /// control characters (`TextField`), naming the first such field. Every way in (the API, the pages,
    /// `charterctl`, a GPG import) reaches the store, which calls this before any SQL.
    public func checkText() throws(CharterDomainError) {
        try TextField.employerName.check(name)
        try TextField.address.check(address)
        try TextField.postcode.check(postcode)
        try TextField.sizeBand.check(sizeBand)
        for code in sicCodes { try TextField.sicCode.check(code) }
    }
}
