import PGClient
import Testing

@testable import Scheduling

/// Which failures of a job the scheduler tries again under the same claim: those that pass by themselves
/// (a failover among them: the primary shutting down under the run, the standby not yet promoted), and
/// never a statement that is wrong.
@Suite("What a scheduled job is tried again for")
struct SchedulerRetryTests {
    @Test(arguments: [
        (
            PGError(.server, sqlState: .adminShutdown, message: "terminating connection due to administrator command"),
            true
        ),
        (PGError(.server, sqlState: SQLState(rawValue: "57P02"), message: "crash shutdown"), true),
        (PGError(.server, sqlState: SQLState(rawValue: "08006"), message: "connection failure"), true),
        (PGError(.connectionClosed, message: "server closed the connection unexpectedly"), true),
        (PGError(.connectionFailed, message: "connection refused"), true),
        (PGError(.server, sqlState: .serializationFailure, message: "could not serialize access"), true),
        (PGError(.server, sqlState: .uniqueViolation, message: "duplicate key value"), false),
        (PGError(.server, sqlState: .syntaxError, message: "syntax error"), false),
    ])
    func aFailureIsTriedAgainOnlyWhenItPassesByItself(error: PGError, triedAgain: Bool) {
        #expect(Scheduler.isTransient(error) == triedAgain, "\(error)")
    }
}
