import Foundation

extension ReturnFigures {
    /// The figures in a compact binary form, for keeping with a return version: a few dozen bytes for a
    /// clean return, read back by `init(packed:)` in a few microseconds — a nightly run reads tens of
    /// thousands of them.
    ///
    /// Unsigned LEB128 numbers; a text is its byte count then its UTF-8; a rate is its decimal text, empty
    /// for none. The first byte is the format's version.
    public var packed: [UInt8] {
        var writer = PackWriter()
        writer.bytes.append(Self.packFormat)
        for number in [
            directWorkers, directZeroHours, shiftsScheduled, shiftsShortNotice, shiftsCancelledShortNotice,
            shiftsCancelledPaid,
        ] {
            writer.number(number)
        }
        for group in [
            belowMinimumWage, belowRealLivingWage, zeroHoursWithoutConsent, belowLivingHours, hoursNotReflected,
            reviewOverdue, agencyWithoutParity,
        ] {
            writer.group(group)
        }
        if let upcoming = belowUpcomingRealLivingWage {
            writer.bytes.append(1)
            writer.group(upcoming)
        } else {
            writer.bytes.append(0)
        }
        return writer.bytes
    }

    /// Figures written by `packed`; throws `.unreadableFigures` for anything else.
    public init(packed: some Collection<UInt8>) throws(CharterDomainError) {
        var reader = PackReader(bytes: Array(packed), code: .unreadableFigures, subject: "the kept figures")
        guard try reader.byte() == Self.packFormat else {
            throw reader.failure("the kept figures are in a format this version cannot read")
        }
        self.init()
        directWorkers = try reader.number()
        directZeroHours = try reader.number()
        shiftsScheduled = try reader.number()
        shiftsShortNotice = try reader.number()
        shiftsCancelledShortNotice = try reader.number()
        shiftsCancelledPaid = try reader.number()
        belowMinimumWage = try reader.group()
        belowRealLivingWage = try reader.group()
        zeroHoursWithoutConsent = try reader.group()
        belowLivingHours = try reader.group()
        hoursNotReflected = try reader.group()
        reviewOverdue = try reader.group()
        agencyWithoutParity = try reader.group()
        belowUpcomingRealLivingWage = try reader.byte() == 1 ? try reader.group() : nil
        guard reader.isAtEnd else {
            throw reader.failure("the kept figures run on past their end")
        }
    }

    static let packFormat: UInt8 = 1

    /// Whether `packed` is in the format `init(packed:)` reads (its first byte), without reading the rest.
    public static func readsPacking(_ packed: [UInt8]) -> Bool {
        packed.first == packFormat
    }
}

extension PackWriter {
    fileprivate mutating func group(_ group: WorkerGroup) {
        number(group.count)
        number(group.workerRefs.count)
        for ref in group.workerRefs { text(ref) }
        text(group.lowestRate.map { "\($0)" } ?? "")
        text(group.largestShortfall.map { "\($0)" } ?? "")
    }
}

extension PackReader {
    fileprivate mutating func rate() throws(CharterDomainError) -> Decimal? {
        let text = try text()
        guard !text.isEmpty else { return nil }
        guard let rate = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
            throw failure("a kept rate is not a number")
        }
        return rate
    }

    fileprivate mutating func group() throws(CharterDomainError) -> WorkerGroup {
        let count = try number()
        let refCount = try number()
        guard refCount <= WorkerGroup.maximumRefs else { throw failure("a kept group names more than 100 workers") }
        var refs: [String] = []
        refs.reserveCapacity(refCount)
        for _ in 0..<refCount { refs.append(try text()) }
        return WorkerGroup(count: count, workerRefs: refs, lowestRate: try rate(), largestShortfall: try rate())
    }
}
