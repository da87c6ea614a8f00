/// The audit key (`CHARTERD_AUDIT_KEY`) of a test run, as the hex the setting takes.
///
/// One per test process, made from random bytes at first use: the suites write audit rows in process
/// (under this key, set with `AuditTrail.useKey`) and through the charterd and charterctl they start on
/// the same databases (given it in their environment), so all of them must hold the same key, as a
/// deployment's charterd and charterctl do.
public enum TestAuditKey {
    public static let hex: String = {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        return String((0..<64).map { _ in digits[Int.random(in: 0..<16, using: &generator)] })
    }()

    /// The setting, to merge into the environment of a charterd or charterctl the test starts.
    public static var environment: [String: String] { ["CHARTERD_AUDIT_KEY": hex] }
}
