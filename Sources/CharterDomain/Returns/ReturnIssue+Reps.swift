extension ReturnIssue {
    /// A return's plausibility warnings as union reps see them (SPEC §4, §8): nothing that points at
    /// one worker's line.
    ///
    /// Warnings about single worker lines become one per column, counting the lines with the same
    /// small-number suppression as evidence ("fewer than 5"), never naming them. Warnings about the
    /// worker lines as a whole or the headcount keep only what they are about: their sentences quote
    /// line numbers and counts of a few workers. Warnings about attestations (missing data) stay as
    /// they are: they describe the employer, not a worker. The employer sees its warnings in full.
    public static func forReps(_ warnings: [ReturnIssue]) -> [ReturnIssue] {
        var shown: [ReturnIssue] = []
        var linesByColumn: [(column: String?, count: Int)] = []
        for warning in warnings {
            if warning.line != nil {
                if let index = linesByColumn.firstIndex(where: { $0.column == warning.column }) {
                    linesByColumn[index].count += 1
                } else {
                    linesByColumn.append((warning.column, 1))
                }
            } else if warning.column?.hasPrefix("attestations.") == true {
                shown.append(warning)
            } else {
                let about = warning.column.map { "the worker lines' \($0)" } ?? "the worker lines"
                shown.append(
                    ReturnIssue(
                        warning.severity, column: warning.column,
                        warning.column == "headcount"
                            ? "the header's headcount and the number of worker lines differ by more than the tolerance"
                            : "\(about) look implausible; the employer can see the details"))
            }
        }
        for (column, count) in linesByColumn {
            // Never 1: a single line reads "fewer than 5", so the plural always fits.
            shown.append(
                ReturnIssue(
                    .warning, column: column,
                    "\(WorkerCount.exact(count).suppressed) worker lines have a plausibility warning"
                        + (column.map { " on \($0)" } ?? "")
                        + "; the employer can see which"))
        }
        return shown
    }
}
