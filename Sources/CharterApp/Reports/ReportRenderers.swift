public import CharterDomain

/// Where CharterWatch gets its report renderer: the one function the jobs, charterd and
/// `charterctl reports preview` ask, so every path renders the same messages.
public enum ReportRenderers {
    /// The Mustache `ReportRenderer` for `configuration`'s sender, public URL and template overrides.
    ///
    /// - Throws: `ReportRenderingError` when an override in `CHARTERD_MAIL_TEMPLATES_DIR` cannot be read
    ///   or parsed, so charterd stops at start-up rather than at the first email.
    public static func renderer(for configuration: CharterConfiguration) throws -> any ReportRendering {
        try ReportRenderer(configuration: configuration)
    }
}
