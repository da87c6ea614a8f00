import CharterDomain
import Foundation
import TestRandom
import Testing

/// Evidence is stored as the JSON `compactJSON()` writes by hand; it must be the bytes `JSONEncoder` makes
/// of it (a flag's evidence digest compares them from one night to the next), whatever the evidence holds.
@Suite("Evidence JSON")
struct EvidenceJSONTests {
    /// Evidence drawn from a seeded generator, so every run draws the same.
    struct Draw: RandomNumberGenerator {
        var seeded: SeededGenerator

        init(state: UInt64) {
            seeded = SeededGenerator(state: state)
        }

        mutating func next() -> UInt64 { seeded.next() }

        /// Nil half of the time.
        mutating func maybe<T>(_ make: (inout Draw) -> T) -> T? {
            Bool.random(using: &self) ? make(&self) : nil
        }

        /// Text with what JSON escapes (quotes, backslashes, every control character), slashes it need not,
        /// and characters beyond ASCII.
        mutating func text() -> String {
            let pieces = [
                "a", "Z", " ", "/", "\"", "\\", "\u{7F}", "é", "😀", "\u{2028}", "£12.60", "O'Brien", "line\nbreak",
            ]
            return (0..<Int.random(in: 0...6, using: &self)).map { _ in
                Bool.random(using: &self)
                    ? pieces.randomElement(using: &self)!
                    : String(UnicodeScalar(UInt8.random(in: 0..<0x20, using: &self)))
            }.joined()
        }

        mutating func decimal() -> Decimal {
            let texts = ["0", "0.00", "12.60", "-0.5", "1e3", "123456789.123456789", "0.1", "99.99", "-3"]
            if Bool.random(using: &self) { return Decimal(string: texts.randomElement(using: &self)!)! }
            return Decimal(Int.random(in: -100_000...100_000, using: &self)) / 100
        }

        mutating func date() -> CalendarDate {
            CalendarDate(iso: "2026-01-01")!.adding(days: Int.random(in: -40_000...40_000, using: &self))
        }

        mutating func instant() -> Date {
            Date(timeIntervalSince1970: Double.random(in: -2e9...4e9, using: &self))
        }

        mutating func workers() -> WorkerCount {
            Bool.random(using: &self) ? .fewerThanFive : .exact(Int.random(in: 0...5_000, using: &self))
        }

        mutating func list<T>(_ make: (inout Draw) -> T) -> [T] {
            (0..<Int.random(in: 0...3, using: &self)).map { _ in make(&self) }
        }

        mutating func evidence() -> Evidence {
            var parameters: [String: ParameterValue] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &self) {
                let value: ParameterValue =
                    switch Int.random(in: 0..<4, using: &self) {
                    case 0: .number(decimal())
                    case 1: .text(text())
                    case 2: .flag(Bool.random(using: &self))
                    default: .list(list { $0.text() })
                    }
                parameters[
                    ["threshold_percent", "min_headcount", "B", "_x", "a10", "a2", "é", text()].randomElement(
                        using: &self)!] = value
            }
            var evidence = Evidence(
                charterVersionID: Int64.random(in: 1...Int64.max, using: &self), charterVersionLabel: text(),
                parameters: parameters,
                period: ReportingPeriod(year: Int.random(in: 1900...9999, using: &self), quarter: 2)!,
                returnVersionID: maybe { Int64.random(in: 1...1_000_000, using: &$0) },
                returnVersionNumber: maybe { Int.random(in: 1...9, using: &$0) })
            evidence.workers = maybe { $0.workers() }
            evidence.workerRefs = maybe { $0.list { $0.text() } }
            evidence.lowestRate = maybe { $0.decimal() }
            evidence.largestShortfallPerHour = maybe { $0.decimal() }
            evidence.minimumWageRates = maybe { draw in
                Dictionary(draw.list { ($0.text(), $0.decimal()) }, uniquingKeysWith: { first, _ in first })
            }
            evidence.rateInForce = maybe { $0.decimal() }
            evidence.londonRateInForce = maybe { $0.decimal() }
            evidence.rateYear = maybe { $0.text() }
            evidence.rateDeadline = maybe { $0.date() }
            evidence.directWorkers = maybe { $0.workers() }
            evidence.sharePercent = maybe { $0.decimal() }
            evidence.previousSharePercent = maybe { $0.decimal() }
            evidence.shiftsScheduled = maybe { Int.random(in: 0...100_000, using: &$0) }
            evidence.shiftsShortNotice = maybe { Int.random(in: 0...100_000, using: &$0) }
            evidence.shiftsCancelledShortNotice = maybe { Int.random(in: 0...100_000, using: &$0) }
            evidence.shiftsCancelledPaid = maybe { Int.random(in: 0...100_000, using: &$0) }
            evidence.attestations = maybe { draw in
                draw.list { AttestationFigure($0.text(), $0.maybe { $0.text() }) }
            }
            evidence.cutoff = maybe { $0.date() }
            evidence.contracts = maybe { draw in
                draw.list { draw in
                    var contract = ContractFigure(
                        Contractor(
                            supplier: draw.text(), service: draw.text(), workers: Int.random(in: 0...500, using: &draw),
                            hoursPerDay: Double(Int.random(in: 0...96, using: &draw)) / 8,
                            consecutiveWeeks: Int.random(in: 0...60, using: &draw), rlwPaid: Bool.random(using: &draw),
                            milestone: draw.maybe { $0.date() }))
                    contract.workers = draw.workers()
                    return contract
                }
            }
            evidence.unionRequests = maybe { draw in
                draw.list {
                    UnionRequestFigure(
                        receivedOn: $0.date(), repliedOn: $0.maybe { $0.date() },
                        days: Int.random(in: 0...400, using: &$0))
                }
            }
            evidence.headcount = maybe { $0.workers() }
            evidence.youngPeople = maybe { Int.random(in: 0...50, using: &$0) }
            evidence.periodsConsidered = maybe { draw in
                draw.list { ReportingPeriod(year: Int.random(in: 2000...2100, using: &$0), quarter: 4)! }
            }
            evidence.dueDate = maybe { $0.date() }
            evidence.firstReceivedAt = maybe { $0.instant() }
            evidence.lateAfter = maybe { $0.instant() }
            evidence.warnings = maybe { draw in
                draw.list {
                    ReturnIssue(
                        Bool.random(using: &$0) ? .warning : .error,
                        line: $0.maybe { Int.random(in: 1...1_000_000, using: &$0) }, column: $0.maybe { $0.text() },
                        $0.text())
                }
            }
            return evidence
        }
    }

    @Test func theHandWrittenJSONIsTheEncodersByteForByte() throws {
        var draw = Draw(state: 2026)
        for index in 0..<3_000 {
            let evidence = draw.evidence()
            let written = try #require(evidence.compactJSON(), "case \(index)")
            let encoded = try Evidence.encoder.encode(evidence)
            let same = written == Array(encoded)
            #expect(
                same,
                "case \(index):\n\(String(decoding: written, as: UTF8.self))\n\(String(decoding: encoded, as: UTF8.self))"
            )
            if !same { break }
        }
    }

    @Test func theRulesEvidenceIsWrittenAsTheEncoderWritesIt() throws {
        let rule = RuleCase().with {
            $0.figures.belowRealLivingWage = workers(3, lowestRate: "12.80", shortfall: "0.65")
            $0.figures.directWorkers = 100
            $0.figures.directZeroHours = 40
            $0.header.attestations.sickPayWaitingDays = 3
        }
        let findings = try rule.findings()
        #expect(findings.count >= 3)
        for finding in findings {
            #expect(finding.evidence.compactJSON() == Array(try Evidence.encoder.encode(finding.evidence)))
            #expect(
                finding.evidence.forReps().compactJSON()
                    == Array(try Evidence.encoder.encode(finding.evidence.forReps())))
        }
    }

    @Test func aNumberThatIsNotFiniteIsNotWritten() {
        var evidence = Evidence(
            charterVersionID: 1, charterVersionLabel: "v", parameters: [:], period: ReportingPeriod("2026-Q3")!,
            returnVersionID: nil, returnVersionNumber: nil)
        evidence.sharePercent = .nan
        #expect(evidence.compactJSON() == nil)
    }
}
