import CharterApp
import PGClient
import Scheduling
import Testing

/// `CHARTERD_JOB_SCHEDULES`: an operator moves a job; a typo stops charterd with a sentence.
@Suite("Job schedules from the settings", .timeLimit(.minutes(10)))
struct JobSchedulesTests {
    let pool = PGPool(configuration: PGPoolConfiguration(conninfo: "dbname=unused"))

    @Test func anOverrideReplacesTheDefaultAndTheRestKeepTheirs() throws {
        let configuration = try CharterConfiguration.load(environment: [
            "CHARTERD_JOB_SCHEDULES": " nightly-compliance = 0 1 * * * ; "
        ])
        #expect(configuration.jobSchedules == ["nightly-compliance": "0 1 * * *"])
        let jobs = try CharterJobs.all(pool: pool, schedules: configuration.jobSchedules)
        #expect(jobs.map(\.name).contains("nightly-compliance"))
        #expect(try CharterConfiguration.load(environment: [:]).jobSchedules.isEmpty)
    }

    @Test func anUnknownJobOrABadExpressionIsRefusedWithASentence() throws {
        let unknown = #expect(throws: ConfigurationError.self) {
            _ = try CharterJobs.all(pool: pool, schedules: ["nightly-complaince": "0 1 * * *"])
        }
        #expect(unknown?.description.contains("nightly-complaince, which is not a job") == true)
        let bad = #expect(throws: ConfigurationError.self) {
            _ = try CharterJobs.all(pool: pool, schedules: ["nightly-compliance": "0 25 * * *"])
        }
        #expect(bad?.description.contains("the schedule of nightly-compliance, \"0 25 * * *\"") == true)
        let malformed = #expect(throws: ConfigurationError.self) {
            _ = try CharterConfiguration.load(environment: ["CHARTERD_JOB_SCHEDULES": "nightly-compliance"])
        }
        #expect(malformed?.description.contains("must be job=cron pairs") == true)
    }
}
