public import CharterDomain

/// Where CharterWatch gets its report renderer: the one function the jobs, charterd and
/// `charterctl reports preview` ask, so plugging in the template renderer is one line.
public enum ReportRenderers {
    /// The renderer for `configuration`'s sender and public URL.
    ///
    /// Today the placeholder `PlainReportRenderer`; the merge with the templates branch points this at
    /// its Mustache `ReportRenderer`.
    public static func renderer(for configuration: CharterConfiguration) -> any ReportRendering {
        PlainReportRenderer(from: configuration.mailFrom, publicURL: configuration.publicURL)
    }
}
