import CharterAccess
import CharterDomain
import CharterStore
import Foundation
import HTTPTypes
import Hummingbird
import PGClient

extension CharterAPI {
    struct NewToken: Decodable {
        var role: String
        var employerId: Int64?
        var repId: Int64?
        var label: String?
        var expiresAt: Date?
        static let fields: Set<String> = ["role", "employer_id", "rep_id", "label", "expires_at"]
    }

    /// A new token with its text: the only time the secret is shown.
    struct IssuedToken: Encodable {
        var token: String
        var record: APITokenRecord
    }

    struct NewRep: Decodable {
        var name: String
        var email: String
        var unionName: String?
        var covers: [Int64]?
        static let fields: Set<String> = ["name", "email", "union_name", "covers"]
    }

    struct Coverage: Decodable {
        var employerIds: [Int64]
        static let fields: Set<String> = ["employer_ids"]
    }

    /// Tokens and reps: the charter team's administration of who may do what.
    ///
    /// A revocation or a coverage change empties `tokenCache`, so it takes effect on the next request.
    static func accessRoutes(pool: PGPool, tokenCache: TokenPrincipalCache) -> [APIRoute] {
        let tokens = TokenStore(pool: pool)
        let reps = RepStore(pool: pool)
        return [
            APIRoute(.get, "/v1/tokens", .readTokens) { _, _, _ in
                try APIJSON.response(["tokens": try await tokens.list()])
            },
            APIRoute(.post, "/v1/tokens", .writeTokens) { request, context, principal in
                let new = try await APIJSON.decode(
                    NewToken.self, from: request, context: context, fields: NewToken.fields)
                guard let role = Role(rawValue: new.role) else {
                    throw Problem(
                        .unprocessableContent, "role \(new.role.excerpt()) is not one of admin, employer, rep, viewer",
                        errors: [Problem.Item(field: "role", message: "is not a role")])
                }
                let issued = try await tokens.create(
                    role: role, employerID: new.employerId, repID: new.repId, label: new.label,
                    expiresAt: new.expiresAt, createdBy: principal.actor)
                var response = try APIJSON.response(
                    IssuedToken(token: issued.token.text, record: issued.record), status: .created)
                response.headers[.cacheControl] = "no-store"
                return response
            },
            APIRoute(.post, "/v1/tokens/{token}/revoke", .writeTokens) { _, context, principal in
                let revoked = try await tokens.revoke(id: try id("token", context), by: principal.actor)
                tokenCache.removeAll()
                return try APIJSON.response(revoked)
            },
            APIRoute(.get, "/v1/reps", .readReps) { _, _, _ in
                try APIJSON.response(["reps": try await reps.list()])
            },
            APIRoute(.post, "/v1/reps", .writeReps) { request, context, principal in
                let new = try await APIJSON.decode(NewRep.self, from: request, context: context, fields: NewRep.fields)
                let rep = try await reps.add(
                    name: new.name, email: new.email, unionName: new.unionName, covers: new.covers ?? [],
                    actor: principal.actor)
                return try APIJSON.response(rep, status: .created)
            },
            APIRoute(.put, "/v1/reps/{rep}/coverage", .writeReps) { request, context, principal in
                let coverage = try await APIJSON.decode(
                    Coverage.self, from: request, context: context, fields: Coverage.fields)
                let updated = try await reps.setCoverage(
                    repID: try id("rep", context), employerIDs: coverage.employerIds, actor: principal.actor)
                tokenCache.removeAll()
                return try APIJSON.response(updated)
            },
        ]
    }

    static func auditRoutes(pool: PGPool) -> [APIRoute] {
        [
            APIRoute(.get, "/v1/audit/verify", .verifyAudit) { _, _, _ in
                let verification = try await pool.withConnection { try await AuditTrail.verify(on: $0) }
                return try APIJSON.response(verification)
            }
        ]
    }
}
