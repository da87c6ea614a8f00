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
        var reader = PackReader(bytes: Array(packed))
        guard try reader.byte() == Self.packFormat else {
            throw CharterDomainError(.unreadableFigures, "the kept figures are in a format this version cannot read")
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
            throw CharterDomainError(.unreadableFigures, "the kept figures run on past their end")
        }
    }

    static let packFormat: UInt8 = 1
}

private struct PackWriter {
    var bytes: [UInt8] = []

    mutating func number(_ value: Int) {
        var rest = UInt64(max(value, 0))
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func text(_ value: String) {
        let utf8 = Array(value.utf8)
        number(utf8.count)
        bytes += utf8
    }

    mutating func group(_ group: WorkerGroup) {
        number(group.count)
        number(group.workerRefs.count)
        for ref in group.workerRefs { text(ref) }
        text(group.lowestRate.map { "\($0)" } ?? "")
        text(group.largestShortfall.map { "\($0)" } ?? "")
    }
}

private struct PackReader {
    let bytes: [UInt8]
    var position = 0

    var isAtEnd: Bool { position == bytes.count }

    private func truncated() -> CharterDomainError {
        CharterDomainError(.unreadableFigures, "the kept figures end too soon")
    }

    mutating func byte() throws(CharterDomainError) -> UInt8 {
        guard position < bytes.count else { throw truncated() }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func number() throws(CharterDomainError) -> Int {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte()
            guard shift < 63 else { throw CharterDomainError(.unreadableFigures, "a kept figure is too large") }
            value |= UInt64(next & 0x7F) << shift
            if next < 0x80 { break }
            shift += 7
        }
        guard value <= UInt64(Int.max) else {
            throw CharterDomainError(.unreadableFigures, "a kept figure is too large")
        }
        return Int(value)
    }

    mutating func text() throws(CharterDomainError) -> String {
        let count = try number()
        guard count <= bytes.count - position else { throw truncated() }
        defer { position += count }
        return String(decoding: bytes[position..<position + count], as: UTF8.self)
    }

    mutating func rate() throws(CharterDomainError) -> Decimal? {
        let text = try text()
        guard !text.isEmpty else { return nil }
        guard let rate = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
            throw CharterDomainError(.unreadableFigures, "a kept rate is not a number")
        }
        return rate
    }

    mutating func group() throws(CharterDomainError) -> WorkerGroup {
        let count = try number()
        let refCount = try number()
        guard refCount <= WorkerGroup.maximumRefs else {
            throw CharterDomainError(.unreadableFigures, "a kept group names more than 100 workers")
        }
        var refs: [String] = []
        refs.reserveCapacity(refCount)
        for _ in 0..<refCount { refs.append(try text()) }
        return WorkerGroup(count: count, workerRefs: refs, lowestRate: try rate(), largestShortfall: try rate())
    }
}
