extension Employer {
    /// An employer as the Gender Pay Gap service lists it (`charterctl employer import-gpg`, the demo).
    public init(gpg: GPGEmployer) {
        self.init(
            name: gpg.name, companyNumber: gpg.companyNumber, gpgEmployerID: gpg.gpgEmployerID, sicCodes: gpg.sicCodes,
            sizeBand: gpg.sizeBand, address: gpg.address, postcode: gpg.postcode)
    }
}
