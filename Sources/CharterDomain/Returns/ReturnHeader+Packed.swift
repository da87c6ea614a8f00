extension ReturnHeader {
    /// The header in a compact binary form, kept beside its JSON (`return_versions.header_packed`) because
    /// a nightly run reads tens of thousands of headers: `init(packed:)` reads one in a few microseconds,
    /// where `JSONDecoder` took about 35. The JSON stays the version's record; this is a copy of it.
    ///
    /// `PackWriter`'s numbers and texts; each optional attestation is preceded by whether it is there.
    /// The first byte is the format's version.
    public var packed: [UInt8] {
        var writer = PackWriter()
        writer.bytes.append(Self.packFormat)
        writer.signed(period.year)
        writer.number(period.quarter)
        writer.signed(headcount)
        let given = attestations
        writer.optional(given.hsPolicyReviewedOn) { $0.date($1) }
        writer.optional(given.equalityAuditOn) { $0.date($1) }
        writer.optional(given.unionRightNoticeOn) { $0.date($1) }
        writer.optional(given.recognitionAgreement) { $0.flag($1) }
        writer.optional(given.unionRequests) { writer, requests in
            writer.number(requests.count)
            for request in requests {
                writer.date(request.receivedOn)
                writer.optional(request.repliedOn) { $0.date($1) }
            }
        }
        writer.optional(given.sickPayWaitingDays) { $0.signed($1) }
        writer.optional(given.flexibleWorkingDayOne) { $0.flag($1) }
        writer.optional(given.apprentices) { $0.signed($1) }
        writer.optional(given.workPlacements) { $0.signed($1) }
        writer.optional(given.rlwPlanTarget) { $0.date($1) }
        writer.number(contractors.count)
        for contractor in contractors {
            writer.text(contractor.supplier)
            writer.text(contractor.service)
            writer.signed(contractor.workers)
            writer.double(contractor.hoursPerDay)
            writer.signed(contractor.consecutiveWeeks)
            writer.flag(contractor.rlwPaid)
            writer.optional(contractor.milestone) { $0.date($1) }
        }
        return writer.bytes
    }

    /// A header written by `packed`; throws `.unreadableHeader` for anything else.
    public init(packed: some Collection<UInt8>) throws(CharterDomainError) {
        var reader = PackReader(bytes: Array(packed), code: .unreadableHeader, subject: "the kept header")
        guard try reader.byte() == Self.packFormat else {
            throw reader.failure("the kept header is in a format this version cannot read")
        }
        let (year, quarter) = (try reader.signed(), try reader.number())
        guard let period = ReportingPeriod(year: year, quarter: quarter) else {
            throw reader.failure("the kept header's period is not a reporting period")
        }
        let headcount = try reader.signed()
        var given = Attestations()
        given.hsPolicyReviewedOn = try reader.present() ? try reader.date() : nil
        given.equalityAuditOn = try reader.present() ? try reader.date() : nil
        given.unionRightNoticeOn = try reader.present() ? try reader.date() : nil
        given.recognitionAgreement = try reader.present() ? try reader.flag() : nil
        if try reader.present() {
            var requests: [UnionRequest] = []
            for _ in 0..<(try reader.count()) {
                let received = try reader.date()
                requests.append(
                    UnionRequest(receivedOn: received, repliedOn: try reader.present() ? try reader.date() : nil))
            }
            given.unionRequests = requests
        }
        given.sickPayWaitingDays = try reader.present() ? try reader.signed() : nil
        given.flexibleWorkingDayOne = try reader.present() ? try reader.flag() : nil
        given.apprentices = try reader.present() ? try reader.signed() : nil
        given.workPlacements = try reader.present() ? try reader.signed() : nil
        given.rlwPlanTarget = try reader.present() ? try reader.date() : nil
        var contractors: [Contractor] = []
        for _ in 0..<(try reader.count()) {
            contractors.append(
                Contractor(
                    supplier: try reader.text(), service: try reader.text(), workers: try reader.signed(),
                    hoursPerDay: try reader.double(), consecutiveWeeks: try reader.signed(), rlwPaid: try reader.flag(),
                    milestone: try reader.present() ? try reader.date() : nil))
        }
        guard reader.isAtEnd else { throw reader.failure("the kept header runs on past its end") }
        self.init(period: period, headcount: headcount, attestations: given, contractors: contractors)
    }

    static let packFormat: UInt8 = 1
}

extension PackWriter {
    fileprivate mutating func optional<Value>(_ value: Value?, _ write: (inout PackWriter, Value) -> Void) {
        flag(value != nil)
        if let value { write(&self, value) }
    }
}

extension PackReader {
    /// Whether an optional value follows (`PackWriter.optional`).
    fileprivate mutating func present() throws(CharterDomainError) -> Bool {
        try flag()
    }

    /// A count of things that follow, each at least a byte: no more than the bytes left.
    fileprivate mutating func count() throws(CharterDomainError) -> Int {
        let count = try number()
        guard count <= bytes.count - position else { throw failure("\(subject) end too soon") }
        return count
    }
}
