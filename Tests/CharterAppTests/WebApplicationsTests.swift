import CharterAccess
import CharterApp
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PGClient
import Testing

/// SPEC §10 "Evidence files": readable by the applicant, the charter team and the reps covering the
/// employer — nobody else, who gets the same 404 as for a file that does not exist — and always served as
/// an attachment that no browser sniffs or shows inline.
@Suite("Applications and their evidence on the web", .timeLimit(.minutes(10)))
struct WebApplicationsTests {
    struct Made {
        var setup: WebPagesTests.Setup
        /// The covered employer's application, with one file.
        var covered: (application: Int64, file: Int64)
        /// The uncovered employer's application, with one file.
        var other: (application: Int64, file: Int64)
        /// A newcomer's application (no employer yet), with one file, and its applicant's session cookie.
        var newcomer: (application: Int64, file: Int64, cookie: String)
    }

    static let pdf = Array("%PDF-1.4\n% pay policy\n%%EOF\n".utf8)

    static func make(_ name: String) async throws -> Made {
        let setup = try await WebPagesTests.setUp(name)
        let store = ApplicationStore(pool: setup.pool)
        let queue = ReportQueue(renderer: try ReportRenderer(configuration: CharterConfiguration()))
        let users = try await setup.users.list()
        let hr = try #require(users.first { $0.email == "hr@sefton.example" })
        let ferries = try await setup.users.create(
            email: "hr@wirralferries.example", displayName: "Lee HR", role: .employer, employerID: setup.other,
            repID: nil, password: WebPagesTests.password, by: "test")
        func withFile(_ id: Int64, actor: String) async throws -> Int64 {
            try await store.addEvidence(id: id, standardID: nil, filename: "pay policy.pdf", content: pdf, actor: actor)
                .id
        }
        let covered = try await store.startForEmployer(setup.covered, userID: hr.id, actor: "user:\(hr.id)")
        let other = try await store.startForEmployer(setup.other, userID: ferries.id, actor: "user:\(ferries.id)")
        let newcomer = try await store.start(
            applicantName: "Robin", email: "robin@ferries.example", organisationName: "Mersey Ferries", mail: queue)
        let link = try await setup.pool.withConnection { connection in
            try await connection.query(
                "SELECT message FROM outbox_messages WHERE kind = 'application' ORDER BY id DESC LIMIT 1"
            )[0].decode(PGBytes.self, column: "message")
        }
        // The plain-text part is quoted-printable: undo its soft line breaks and its `=3D` for `=`.
        let text = String(decoding: link.bytes, as: UTF8.self).replacingOccurrences(of: "=\r\n", with: "")
            .replacingOccurrences(of: "=3D", with: "=")
        let token = try #require(text.firstMatch(of: /token=([A-Za-z0-9_-]{43})/))
        let session = try await store.useLink(token: String(token.1))
        return Made(
            setup: setup,
            covered: (covered, try await withFile(covered, actor: "user:\(hr.id)")),
            other: (other, try await withFile(other, actor: "user:\(ferries.id)")),
            newcomer: (
                newcomer, try await withFile(newcomer, actor: "applicant:\(newcomer)"),
                "__Host-charterwatch_applicant=\(session.cookieValue)"
            ))
    }

    static func path(_ file: (application: Int64, file: Int64)) -> String {
        "/applications/\(file.application)/evidence/\(file.file)"
    }

    @Test func evidenceIsForTheApplicantTheCharterTeamAndCoveringRepsOnly() async throws {
        let made = try await Self.make("web-evidence")
        let newcomer = (application: made.newcomer.application, file: made.newcomer.file)
        try await WebPagesTests.application(made.setup).test(.router) { client in
            let admin = try await WebPagesTests.signIn(client, "team@charter.example")
            for file in [made.covered, made.other, newcomer] {
                try await client.execute(uri: Self.path(file), method: .get, headers: [.cookie: admin]) { response in
                    #expect(response.status == .ok)
                    #expect(Array(response.body.readableBytesView) == Self.pdf)
                    #expect(response.headers[.contentType] == "application/pdf")
                    #expect(
                        response.headers[.contentDisposition]
                            == "attachment; filename=\"pay policy.pdf\"; filename*=UTF-8''pay%20policy.pdf")
                    #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                    #expect(response.headers[.cacheControl] == "private, no-store")
                }
            }
            // The rep covers the first employer only: the others' files are not found.
            let rep = try await WebPagesTests.signIn(client, "jo@union.example")
            try await client.execute(uri: Self.path(made.covered), method: .get, headers: [.cookie: rep]) {
                #expect($0.status == .ok)
            }
            for file in [made.other, newcomer] {
                try await client.execute(uri: Self.path(file), method: .get, headers: [.cookie: rep]) { response in
                    #expect(response.status == .notFound)
                    #expect(
                        WebPagesTests.text(response).contains(
                            "There is no evidence file \(file.file) of application \(file.application)."))
                }
            }
            // The employer reads its own application's files, nobody else's.
            let employer = try await WebPagesTests.signIn(client, "hr@sefton.example")
            try await client.execute(uri: Self.path(made.covered), method: .get, headers: [.cookie: employer]) {
                #expect($0.status == .ok)
            }
            for file in [made.other, newcomer] {
                try await client.execute(uri: Self.path(file), method: .get, headers: [.cookie: employer]) {
                    #expect($0.status == .notFound)
                }
            }
            // Nobody signed in is sent to sign in.
            try await client.execute(uri: Self.path(made.covered), method: .get) {
                #expect($0.status == .seeOther)
            }
            // A file id from another application is not found through this one.
            try await client.execute(
                uri: "/applications/\(made.covered.application)/evidence/\(made.other.file)", method: .get,
                headers: [.cookie: admin]
            ) { #expect($0.status == .notFound) }
        }
        await made.setup.pool.close()
    }

    @Test func theApplicantWorksOnTheirOwnApplicationOnly() async throws {
        let made = try await Self.make("web-applicant")
        let own = "/apply/application/evidence/\(made.newcomer.file)"
        try await WebPagesTests.application(made.setup).test(.router) { client in
            // Without the link's session: a sentence, no application.
            try await client.execute(uri: "/apply/application", method: .get) { response in
                #expect(response.status == .forbidden)
                #expect(WebPagesTests.text(response).contains("Open your application through the link in the email"))
            }
            try await client.execute(uri: own, method: .get) { #expect($0.status == .forbidden) }
            let cookie = made.newcomer.cookie
            try await client.execute(uri: "/apply/application", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .ok)
                let page = WebPagesTests.text(response)
                #expect(page.contains("Application \(made.newcomer.application): Mersey Ferries"))
                #expect(page.contains("pay policy.pdf"))
            }
            try await client.execute(uri: own, method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentDisposition]?.hasPrefix("attachment;") == true)
            }
            // Another application's file is not the applicant's to read.
            try await client.execute(
                uri: "/apply/application/evidence/\(made.covered.file)", method: .get, headers: [.cookie: cookie]
            ) { #expect($0.status == .notFound) }
            // A form posted without its token changes nothing.
            try await client.execute(
                uri: "/apply/application", method: .post, headers: WebPagesTests.formHeaders(cookie),
                body: WebPagesTests.encoded([("organisation_name", "Hijacked Ltd"), ("action", "save")])
            ) { #expect($0.status == .forbidden) }
            #expect(
                try await ApplicationStore(pool: made.setup.pool).find(id: made.newcomer.application)?.details
                    .organisationName == "Mersey Ferries")
            // Starting an application needs the page's own token too.
            try await client.execute(
                uri: "/apply", method: .post, headers: WebPagesTests.formHeaders(),
                body: WebPagesTests.encoded([
                    ("applicant_name", "Eve"), ("email", "eve@example.org"), ("organisation_name", "Eve Ltd"),
                ])
            ) { response in
                #expect(response.status == .forbidden)
                #expect(WebPagesTests.text(response).contains("nothing was sent"))
            }
        }
        await made.setup.pool.close()
    }

    /// `multipart/form-data` of the evidence form: the token, then `file` named `filename`.
    static func evidenceForm(csrf: String, filename: String, content: [UInt8]) -> ByteBuffer {
        var body = ByteBuffer()
        body.writeString(
            "--evidence\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n\(csrf)\r\n"
                + "--evidence\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\n"
                + "Content-Type: application/pdf\r\n\r\n")
        body.writeBytes(content)
        body.writeString("\r\n--evidence--\r\n")
        return body
    }

    /// Through the form as a browser sends it: a file over 10 MB and a renamed program are refused with a
    /// sentence beside the file field, and nothing is stored.
    @Test func anOversizedOrDisguisedUploadIsRefusedAndStoresNothing() async throws {
        let made = try await Self.make("web-evidence-refused")
        let cookie = made.newcomer.cookie
        let csrf = try #require(
            try await ApplicationStore(pool: made.setup.pool).session(
                cookieValue: String(cookie.dropFirst("__Host-charterwatch_applicant=".count)))?.csrfToken)
        let headers: HTTPFields = [.cookie: cookie, .contentType: "multipart/form-data; boundary=evidence"]
        let big = Self.pdf + Array(repeating: 0x20, count: 11 * 1024 * 1024)
        let program: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + Array(repeating: 0, count: 4_096)
        try await WebPagesTests.application(made.setup).test(.router) { client in
            for (content, name, status, words) in [
                (big, "board-pack.pdf", HTTPResponse.Status.contentTooLarge, "board-pack.pdf is larger than 10 MB"),
                (program, "policy.pdf", .unprocessableContent, "policy.pdf is not a PDF, PNG, JPEG"),
            ] {
                try await client.execute(
                    uri: "/apply/application/evidence", method: .post, headers: headers,
                    body: Self.evidenceForm(csrf: csrf, filename: name, content: content)
                ) { response in
                    #expect(response.status == status, "\(name)")
                    let page = WebPagesTests.text(response)
                    #expect(page.contains(words), "\(name)")
                    #expect(page.contains("id=\"file-error\""), "\(name): the sentence is not beside the file field")
                }
            }
            let files = try await ApplicationStore(pool: made.setup.pool).find(id: made.newcomer.application)?.evidence
            #expect(files?.count == 1, "only the file stored before the refusals")
        }
        await made.setup.pool.close()
    }
}
