/// How charterd writes its log lines on standard output (`CHARTERD_LOG_FORMAT`).
///
/// Both are one line per event, so journald keeps each event whole, and both carry the same fields:
/// `time`, `level`, `label`, `message` and the metadata. logfmt reads well in `journalctl`; JSON suits
/// a log shipper that parses lines.
public enum LogFormat: String, Sendable, CaseIterable {
    case logfmt
    case json
}
