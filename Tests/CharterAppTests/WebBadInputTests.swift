import CharterAccess
import CharterApp
import CharterDomain
import CharterStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PGClient
import Testing

/// The attacker's probes through the pages: an upload with a huge CSV header cell or values out of
/// range, an oversized form, and stored text with control characters in it.
@Suite("The web pages refuse bad input and show stored text safely", .timeLimit(.minutes(10)))
struct WebBadInputTests {
    @Test func aHugeHeaderCellOrAnOutOfRangeValueInAnUploadIsA422PageAndNothingIsStored() async throws {
        let setup = try await WebPagesTests.setUp("web-bad-upload")
        let good = "W1,direct,permanent,21_plus,no,13.50,37.5,37.5,2021-03-01,60,2,1,1"
        try await WebPagesTests.application(setup).test(.router) { client in
            let employer = try await WebPagesTests.signIn(client, "hr@sefton.example")
            let token = try await WebPagesTests.csrf(client, employer, "/employers/\(setup.covered)")
            let uri = "/employers/\(setup.covered)/returns/upload"
            let headers: HTTPFields = [.cookie: employer, .contentType: "multipart/form-data; boundary=b0undary"]
            let name = String(repeating: "C", count: 8 * 1024 * 1024)
            let huge = String(buffer: WebPagesTests.uploadForm(csrf: token, lines: [good])).replacingOccurrences(
                of: "shifts_cancelled_paid\r\n", with: "shifts_cancelled_paid,\(name)\r\n")
            try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: huge)) {
                response in
                #expect(response.status == .unprocessableContent)
                #expect(response.body.readableBytes < 64 * 1024, "\(response.body.readableBytes) bytes")
                let html = WebPagesTests.text(response)
                #expect(html.contains("longer than 4,096 bytes"))
                #expect(html.contains(String(repeating: "C", count: 40) + "…"))
            }
            let outOfRange = "W1,direct,permanent,21_plus,no,13.50,37.5,37.5,0000-03-01,2147483648,2,1,1"
            try await client.execute(
                uri: uri, method: .post, headers: headers,
                body: WebPagesTests.uploadForm(csrf: token, lines: [outOfRange])
            ) { response in
                #expect(response.status == .unprocessableContent)
                let html = WebPagesTests.text(response)
                #expect(html.contains("<td>2</td><td>start_date</td>"))
                #expect(html.contains("<td>2</td><td>shifts_scheduled</td>"))
                #expect(html.contains("2147483648 is out of range"))
            }
            try await client.execute(
                uri: "/employers/\(setup.covered)/returns/2026-Q3", method: .get, headers: [.cookie: employer]
            ) { #expect($0.status == .notFound) }
        }
        await setup.pool.close()
    }

    @Test func aFormOverItsLimitIsA413PageThatSaysTheLimit() async throws {
        let setup = try await WebPagesTests.setUp("web-bad-form")
        try await WebPagesTests.application(setup).test(.router) { client in
            let admin = try await WebPagesTests.signIn(client, "team@charter.example")
            let body = WebPagesTests.encoded([("name", String(repeating: "n", count: 100_000))])
            try await client.execute(
                uri: "/sign-in", method: .post, headers: WebPagesTests.formHeaders(admin), body: body
            ) { response in
                #expect(response.status == .contentTooLarge)
                #expect(
                    WebPagesTests.text(response).contains("the request body is over 64 KiB, the most a form accepts"))
            }
        }
        await setup.pool.close()
    }

    @Test func controlCharactersInStoredTextAreShownEscapedOnPages() async throws {
        let setup = try await WebPagesTests.setUp("web-escape")
        // Stored before input refused control characters: it must still not reach the page raw.
        try await setup.pool.withConnection { connection in
            try await connection.execute(
                "UPDATE employers SET name = \("Sefton \u{1B}[2J\u{07}Care \u{202E}CIC") WHERE id = \(setup.covered)")
        }
        try await WebPagesTests.application(setup).test(.router) { client in
            let admin = try await WebPagesTests.signIn(client, "team@charter.example")
            try await client.execute(uri: "/employers/\(setup.covered)", method: .get, headers: [.cookie: admin]) {
                response in
                #expect(response.status == .ok)
                let html = WebPagesTests.text(response)
                #expect(html.contains("Sefton \\u{1B}[2J\\u{07}Care \\u{202E}CIC"))
                #expect(!html.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" || $0 == "\u{202E}" })
            }
        }
        await setup.pool.close()
    }
}
