import CharterStore
import Foundation
import PGClient
import TestSupport

/// Numbered emails queued straight into the outbox (`m1` … `mN`, each number its subject and dedup key),
/// and the numbers read back from what an SMTP server received: for tests that count deliveries.
enum NumberedMail {
    static func queue(_ count: Int, on connection: PGConnection) async throws {
        for number in 1...count {
            let text = "From: charter@example.org\r\nTo: rep@example.org\r\nSubject: m\(number)\r\n\r\nbody\r\n"
            try await OutboxStore.enqueue(
                OutboxMessage(
                    kind: .flagNotice, dedupKey: "m\(number)", sender: "charter@example.org",
                    recipients: ["rep@example.org"], subject: "m\(number)", message: Array(text.utf8),
                    contentDigest: OutboxMessage.digest(of: Array("m\(number)".utf8))),
                on: connection)
        }
    }

    /// The subjects (`m7`) of the messages delivered, one per delivery.
    static func subjects(of deliveries: [SMTPTestServer.Delivery]) -> [String] {
        deliveries.compactMap {
            String(decoding: $0.bytes, as: UTF8.self).firstMatch(of: /Subject: (m[0-9]+)/).map { String($0.1) }
        }
    }
}
