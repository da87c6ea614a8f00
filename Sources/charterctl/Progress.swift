import Foundation

/// Shows how a long job is going: a bar with rows/s on a terminal, a plain line every few
/// seconds otherwise (so logs and CI output stay readable).
struct Progress {
    let label: String
    let total: Int?
    private let start = ContinuousClock.now
    private var lastShown = ContinuousClock.now
    private let interactive = isatty(STDERR_FILENO) == 1
    private var shownAnything = false

    init(label: String, total: Int?) {
        self.label = label
        self.total = total
    }

    /// Reports `done` units (bytes for the bar when `total` is set) and `rows` so far.
    mutating func update(done: Int, rows: Int) {
        let now = ContinuousClock.now
        let interval: Duration = interactive ? .milliseconds(100) : .seconds(5)
        guard now - lastShown >= interval else { return }
        lastShown = now
        show(done: done, rows: rows, final: false)
    }

    mutating func finish(done: Int, rows: Int) {
        if interactive || shownAnything { show(done: done, rows: rows, final: true) }
    }

    private mutating func show(done: Int, rows: Int, final: Bool) {
        shownAnything = true
        let seconds = max(
            Double((ContinuousClock.now - start).components.attoseconds) / 1e18
                + Double((ContinuousClock.now - start).components.seconds), 0.001)
        let rate = Int(Double(rows) / seconds)
        var text = "\(label): \(rows) rows, \(rate) rows/s"
        if interactive, let total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            text = "\(label) [\(bar)] \(Int(fraction * 100)) % \(rows) rows, \(rate) rows/s"
        }
        let line = interactive ? "\r" + text + (final ? "\n" : "") : text + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
