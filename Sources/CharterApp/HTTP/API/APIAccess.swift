public import CharterAccess
import HTTPTypes

/// Where the API asks `AccessPolicy` — the one place that decides — and turns its answer into HTTP.
///
/// A principal that may not see an employer at all gets 404 for that employer's things, exactly as
/// if they did not exist, so probing ids reveals nothing; one that may see them but not do this
/// gets 403 with the policy's reason.
public enum APIAccess {
    /// Throws unless `principal` may do `action` on something of `employerID` (nil: not an employer's).
    public static func require(
        _ principal: Principal, _ action: Action, employerID: Int64?, notFound: @autoclosure () -> String
    ) throws(Problem) {
        if let employerID, !AccessPolicy.visibleEmployers(principal).contains(employerID) {
            throw Problem(.notFound, notFound())
        }
        if case .denied(let reason) = AccessPolicy.decide(principal, action, employerID: employerID) {
            throw Problem(.forbidden, reason)
        }
    }
}
