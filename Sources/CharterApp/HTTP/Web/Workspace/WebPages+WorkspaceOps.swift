import CharterDomain
import CharterStore
import Foundation
import Hummingbird

extension WebPages {
    /// The operations side of the workspace: exemptions, the charter, runs, the outbox and the audit log.
    static func registerWorkspaceOperations(on group: RouterGroup<CharterRequestContext>, services: WorkspaceServices) {
        registerWorkspaceOpsExemptions(on: group, services: services)
        registerWorkspaceOpsCharter(on: group, services: services)
        registerWorkspaceOpsRuns(on: group, services: services)
        registerWorkspaceOpsOutbox(on: group, services: services)
        registerWorkspaceOpsAudit(on: group, services: services)
    }
}

/// What the operations pages share: reading dates and periods typed into their forms.
enum WorkspaceOps {
    /// Today in Europe/London.
    static var today: CalendarDate { CalendarDate(Date(), in: .europeLondon) }

    /// A date typed as `yyyy-mm-dd` (what a date field sends), or nil.
    static func date(_ text: String?) -> CalendarDate? {
        guard let text, text.utf8.count == 10 else { return nil }
        return CalendarDate(iso: text)
    }

    /// The sentence a store error gives for people: its message, with a capital and a full stop.
    static func sentence(_ error: CharterStoreError) -> String { error.message.asSentence }

}
