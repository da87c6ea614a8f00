public import CharterDomain

/// The employer's answer to a flag (SPEC §5): an explanation, and optionally an action plan with the
/// date it is to be done by. The latest response is kept on the flag; each one is also a flag event.
public struct FlagResponse: Sendable, Hashable, Codable {
    public var explanation: String
    public var actionPlan: String?
    /// When the action plan is to be done by; only with an action plan.
    public var targetDate: CalendarDate?

    public init(explanation: String, actionPlan: String? = nil, targetDate: CalendarDate? = nil) {
        self.explanation = explanation
        self.actionPlan = actionPlan
        self.targetDate = targetDate
    }

    enum CodingKeys: String, CodingKey {
        case explanation
        case actionPlan = "action_plan"
        case targetDate = "target_date"
    }
}
