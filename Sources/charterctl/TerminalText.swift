import CharterDomain

/// Writes a line for a person at a terminal with every control character in it shown escaped
/// (`escapingControlCharacters`).
///
/// Most of what charterctl prints quotes stored text that employers, reps and applicants typed —
/// employer and contact names, contractor suppliers, notes — and an ESC or a C1 control in it would
/// otherwise drive the operator's terminal (SPEC §8). Declared here, it shadows the standard library's
/// `print` in every charterctl command, so a new command is covered without thinking about it.
/// Machine-readable output (`--format json`) goes through `printRawJSON`: the JSON encoders escape
/// control characters in strings themselves, and a `\u{…}` there would not be JSON.
///
/// Its signature is the standard library's, so every existing call reads (and type-checks) as before.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let line = items.map { String(describing: $0) }.joined(separator: separator)
    Swift.print(line.escapingControlCharacters, terminator: terminator)
}

/// Writes JSON text to standard output as it is (see `print(_:)`).
func printRawJSON(_ json: String) {
    Swift.print(json)
}
