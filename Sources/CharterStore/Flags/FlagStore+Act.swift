public import CharterDomain
import Foundation
import PGClient

extension FlagStore {
    /// Applies a person's action to a flag through `FlagTransitions` and returns the flag as it now is.
    ///
    /// In one transaction, with the flag row locked (`FOR UPDATE`) so two actions on one flag — or an
    /// action and the nightly run — take turns and the second is judged on the state the first left:
    /// the new state, one flag event (actor, kind, from and to state, note) and one audit row
    /// (`flag.<action>`, with the states but never the note, which may name a worker).
    ///
    /// `respond` (employers) needs `response`, whose explanation stands as the note when `note` is
    /// blank; it keeps the state, replaces the flag's response and records a `response` event.
    /// `comment` keeps the state and records a `comment` event. Every other allowed action records a
    /// `transition` event.
    ///
    /// - Throws: `CharterStoreError` — `.notFound` when there is no such flag; `.conflict` with the
    ///   domain's sentence when `FlagTransitions` refuses (wrong role, wrong state, a required note
    ///   missing); `.invalid` for a response that is missing or incomplete, a response with any other
    ///   action, or the `system` role (whose changes come from the nightly run and exemptions).
    @discardableResult
    public func act(
        _ action: FlagAction, on flagID: Int64, role: FlagActorRole, actor: String, note: String?,
        response: FlagResponse? = nil
    ) async throws -> FlagDetail {
        guard role != .system else {
            throw CharterStoreError(
                .invalid, "the system's changes to flags come from the nightly run and exemptions, not from a person")
        }
        try TextField.flagNote.check(note)
        try TextField.explanation.check(response?.explanation)
        try TextField.actionPlan.check(response?.actionPlan)
        let note = Self.trimmed(note) ?? (action == .respond ? Self.trimmed(response?.explanation) : nil)
        return try await pool.withTransaction { connection in
            guard
                let row = try await connection.query(
                    "SELECT state, employer_id, standard_id, period FROM flags WHERE id = \(flagID) FOR UPDATE"
                ).first
            else { throw CharterStoreError(.notFound, "there is no flag \(flagID)") }
            let stateText = try row.decode(String.self, column: "state")
            guard let from = FlagState(rawValue: stateText) else {
                throw CharterStoreError(
                    .invalid, "flag \(flagID) is in a state this version does not know: \(stateText)")
            }
            let to: FlagState
            do throws(CharterDomainError) {
                to = try FlagTransitions.apply(action, to: from, by: role, note: note)
            } catch {
                throw CharterStoreError(.conflict, error.message)
            }
            // Checked after the transition so a refused one gives the domain's reason first.
            let response = try Self.checked(response, for: action)

            try await connection.execute(
                "UPDATE flags SET state = \(to.rawValue), updated_at = now() WHERE id = \(flagID)")
            if let response {
                try await connection.execute(
                    """
                    UPDATE flags SET explanation = \(response.explanation), action_plan = \(response.actionPlan),
                                     action_target_date = \(response.targetDate?.description)::date
                    WHERE id = \(flagID)
                    """)
            }
            let eventID = try await connection.query(
                """
                INSERT INTO flag_events (flag_id, actor, kind, from_state, to_state, note)
                VALUES (\(flagID), \(actor), \(Self.eventKind(of: action).rawValue), \(from.rawValue), \(to.rawValue),
                        \(note))
                RETURNING id
                """)[0].decode(Int64.self, column: "id")
            try await AuditTrail.append(
                on: connection, actor: actor, action: "flag.\(action.rawValue)", entity: "flag",
                entityID: String(flagID),
                details: [
                    "from_state": from.rawValue, "to_state": to.rawValue, "role": role.rawValue,
                    "employer_id": try row.decode(Int64.self, column: "employer_id"),
                    "standard_id": try row.decode(String.self, column: "standard_id"),
                    "period": try row.decode(String.self, column: "period"),
                ])
            if let reportQueue {
                _ = try await reportQueue.queueFlagNotices(eventID: eventID, on: connection)
            }
            guard let detail = try await FlagRowReader.detail(id: flagID, on: connection) else {
                throw CharterStoreError(.notFound, "there is no flag \(flagID)")
            }
            return detail
        }
    }

    /// The response to store, tidied, after checking it fits the action: only `respond` carries one,
    /// and it needs an explanation; a target date belongs to an action plan.
    private static func checked(_ response: FlagResponse?, for action: FlagAction) throws(CharterStoreError)
        -> FlagResponse?
    {
        guard action == .respond else {
            guard response == nil else {
                throw CharterStoreError(.invalid, "only a response carries an explanation and an action plan")
            }
            return nil
        }
        guard let response, let explanation = trimmed(response.explanation) else {
            throw CharterStoreError(.invalid, "a response needs an explanation")
        }
        let plan = trimmed(response.actionPlan)
        if response.targetDate != nil && plan == nil {
            throw CharterStoreError(.invalid, "a target date belongs to an action plan; describe the plan too")
        }
        return FlagResponse(explanation: explanation, actionPlan: plan, targetDate: response.targetDate)
    }

    /// The `flag_events` kind an action records.
    static func eventKind(of action: FlagAction) -> FlagEvent.Kind {
        switch action {
        case .comment: .comment
        case .respond: .response
        case .acknowledge, .resolve, .dispute, .reopen, .clear, .reappear, .waive, .unwaive: .transition
        }
    }

    /// Text without surrounding white space; nil when nothing is left.
    private static func trimmed(_ text: String?) -> String? {
        guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        return text
    }
}
