import Foundation

/// The RFC 5322 §3.3 date-time of the Date header, e.g. `Fri, 27 Nov 2026 21:30:00 +0000`.
///
/// Formatted by hand rather than with `DateFormatter`: the day and month names must be English
/// whatever the process locale, the offset must be numeric (`+0100`, never `BST`), and the result
/// must not depend on a platform's formatter quirks. Seconds are truncated; an offset that is not
/// whole minutes (historic local mean time) is truncated to minutes and the clock time follows it, so
/// the header always names the right instant.
enum MailDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func format(_ date: Date, timeZone: TimeZone) -> String {
        let offsetMinutes = timeZone.secondsFromGMT(for: date) / 60
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(secondsFromGMT: 0)!
        let local = Date(
            timeIntervalSince1970: (date.timeIntervalSince1970 + Double(offsetMinutes * 60)).rounded(.down))
        let parts = utc.dateComponents([.year, .month, .day, .weekday, .hour, .minute, .second], from: local)
        let sign = offsetMinutes < 0 ? "-" : "+"
        let offset = abs(offsetMinutes)
        return "\(days[parts.weekday! - 1]), \(parts.day!) \(months[parts.month! - 1]) \(pad(parts.year!, 4)) "
            + "\(pad(parts.hour!, 2)):\(pad(parts.minute!, 2)):\(pad(parts.second!, 2)) "
            + "\(sign)\(pad(offset / 60, 2))\(pad(offset % 60, 2))"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
