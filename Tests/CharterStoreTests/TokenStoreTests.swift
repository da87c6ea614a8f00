import CharterAccess
import CharterStore
import Foundation
import PGClient
import Testing

@Suite("API tokens in the store", .timeLimit(.minutes(10)))
struct TokenStoreTests {
    let fixture: StoreFixture
    init() async throws { fixture = try await StoreFixture("tokens") }

    @Test func aTokenIsShownOnceAndOnlyItsHashIsKept() async throws {
        let issued = try await fixture.tokens.create(
            role: .admin, employerID: nil, repID: nil, label: "ops script", expiresAt: nil, createdBy: "admin")
        let parsed = try #require(APIToken.parse(issued.token.text))
        #expect(issued.record.prefix == parsed.prefix)
        #expect(!"\(issued)".contains(parsed.secret))

        let stored = try await fixture.pool.withConnection { connection in
            try #require(try await connection.query("SELECT token_hash FROM api_tokens").first)
                .decode(PGBytes.self, column: "token_hash").bytes
        }
        #expect(stored == APIToken.hash(issued.token.text))
        // No table holds the secret: not the token row, not the audit log.
        #expect(
            try await fixture.count(
                """
                SELECT count(*) FROM api_tokens t
                WHERE strpos(row_to_json(t)::text, \(parsed.secret)) > 0
                """) == 0)
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM audit_log WHERE action = 'token.create' AND details->>'prefix' = \(parsed.prefix)"
            ) == 1)
        #expect(
            try await fixture.count("SELECT count(*) FROM audit_log WHERE strpos(details::text, \(parsed.secret)) > 0")
                == 0)

        let listed = try await fixture.tokens.list()
        #expect(listed == [issued.record])
        let principal = try #require(try await fixture.tokens.authenticate(issued.token.text))
        #expect(principal == Principal.admin(actor: "token:\(parsed.prefix)"))
    }

    @Test func aRoleMustBeBoundAsTheSchemaSays() async throws {
        let employer = try await fixture.newEmployer()
        let cases: [(Role, Int64?, Int64?, String)] = [
            (.employer, nil, nil, "an employer token needs the employer it belongs to"),
            (.rep, nil, nil, "a rep token needs the rep it acts for"),
            (.rep, employer, 1, "a rep token sees the employers its rep covers and cannot be bound to one employer"),
            (.viewer, employer, nil, "a viewer token sees every employer and cannot be bound to an employer or rep"),
            (.admin, nil, 1, "an admin token sees every employer and cannot be bound to an employer or rep"),
            (.employer, 999, nil, "there is no employer 999"),
            (.rep, nil, 999, "there is no rep 999"),
        ]
        for (role, employerID, repID, sentence) in cases {
            let error = await #expect(throws: CharterStoreError.self) {
                try await fixture.tokens.create(
                    role: role, employerID: employerID, repID: repID, label: nil, expiresAt: nil, createdBy: "admin")
            }
            #expect(error?.message == sentence)
        }
        let past = await #expect(throws: CharterStoreError.self) {
            try await fixture.tokens.create(
                role: .viewer, employerID: nil, repID: nil, label: nil, expiresAt: Date(timeIntervalSince1970: 0),
                createdBy: "admin")
        }
        #expect(past?.message == "the expiry 1970-01-01T00:00:00Z has already passed")
        #expect(try await fixture.count("SELECT count(*) FROM api_tokens") == 0)
        #expect(try await fixture.count("SELECT count(*) FROM audit_log WHERE entity = 'api_token'") == 0)
    }

    @Test func anEmployerTokenActsForItsEmployerAndARepTokenForTheCoveredOnes() async throws {
        let (a, b) = (try await fixture.newEmployer("A Ltd"), try await fixture.newEmployer("B Ltd"))
        let employerToken = try await fixture.tokens.create(
            role: .employer, employerID: a, repID: nil, label: nil, expiresAt: nil, createdBy: "admin")
        #expect(try await fixture.tokens.authenticate(employerToken.token.text)?.employerID == a)

        let rep = try await fixture.reps.add(
            name: "Jo", email: "jo@gmb.org.uk", unionName: "GMB", covers: [a, b], actor: "admin")
        let repToken = try await fixture.tokens.create(
            role: .rep, employerID: nil, repID: rep.id, label: nil, expiresAt: Date() + 3600, createdBy: "admin")
        let principal = try #require(try await fixture.tokens.authenticate(repToken.token.text))
        #expect(principal.role == .rep)
        #expect(principal.repID == rep.id)
        #expect(principal.coveredEmployerIDs == [a, b])
        #expect(principal.actor == "token:\(repToken.record.prefix)")

        // Coverage is read at every request: a change applies to the next one.
        _ = try await fixture.reps.setCoverage(repID: rep.id, employerIDs: [b], actor: "admin")
        #expect(try await fixture.tokens.authenticate(repToken.token.text)?.coveredEmployerIDs == [b])
    }

    @Test func malformedUnknownWrongExpiredAndRevokedTokensAreRefused() async throws {
        let issued = try await fixture.tokens.create(
            role: .viewer, employerID: nil, repID: nil, label: nil, expiresAt: nil, createdBy: "admin")
        let text = issued.token.text
        #expect(try await fixture.tokens.authenticate("") == nil)
        #expect(try await fixture.tokens.authenticate("Bearer \(text)") == nil)
        #expect(try await fixture.tokens.authenticate(APIToken.generate().text) == nil)
        // The right prefix with another secret.
        let forged = String(text.dropLast()) + (text.hasSuffix("a") ? "b" : "a")
        #expect(try await fixture.tokens.authenticate(forged) == nil)
        #expect(try await fixture.tokens.authenticate(text) != nil)

        try await fixture.pool.withConnection {
            try await $0.execute("UPDATE api_tokens SET expires_at = now() - interval '1 second'")
        }
        #expect(try await fixture.tokens.authenticate(text) == nil)
        try await fixture.pool.withConnection { try await $0.execute("UPDATE api_tokens SET expires_at = NULL") }
        #expect(try await fixture.tokens.authenticate(text) != nil)

        let revoked = try await fixture.tokens.revoke(id: issued.record.id, by: "admin")
        #expect(revoked.revokedAt != nil)
        #expect(try await fixture.tokens.authenticate(text) == nil)
        #expect(try await fixture.count("SELECT count(*) FROM audit_log WHERE action = 'token.revoke'") == 1)

        let again = await #expect(throws: CharterStoreError.self) {
            try await fixture.tokens.revoke(id: issued.record.id, by: "admin")
        }
        #expect(again?.message == "token \(issued.record.id) is already revoked")
        let unknown = await #expect(throws: CharterStoreError.self) {
            try await fixture.tokens.revoke(id: 4242, by: "admin")
        }
        #expect(unknown?.message == "there is no token 4242")
    }

    @Test func useIsRecordedAtMostOnceAMinute() async throws {
        let issued = try await fixture.tokens.create(
            role: .viewer, employerID: nil, repID: nil, label: nil, expiresAt: nil, createdBy: "admin")
        func lastUsed() async throws -> Date? {
            try await fixture.pool.withConnection {
                try #require(try await $0.query("SELECT last_used_at FROM api_tokens").first)
                    .decode(Date?.self, column: "last_used_at")
            }
        }
        #expect(try await lastUsed() == nil)
        _ = try await fixture.tokens.authenticate(issued.token.text)
        let first = try #require(try await lastUsed())
        _ = try await fixture.tokens.authenticate(issued.token.text)
        _ = try await fixture.tokens.authenticate(issued.token.text)
        #expect(try await lastUsed() == first)

        try await fixture.pool.withConnection {
            try await $0.execute("UPDATE api_tokens SET last_used_at = last_used_at - interval '61 seconds'")
        }
        _ = try await fixture.tokens.authenticate(issued.token.text)
        #expect(try #require(try await lastUsed()) > first.addingTimeInterval(-61))
    }
}
