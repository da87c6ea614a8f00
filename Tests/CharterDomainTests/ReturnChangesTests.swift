import CharterDomain
import Foundation
import Testing

/// What a version's change summary says, and what a rep sees of it (SPEC §2, §4).
@Suite("Return changes")
struct ReturnChangesTests {
    func changes(added: Int, removed: Int, changed: Int, header: [String] = []) -> ReturnChanges {
        var changes = ReturnChanges(previousVersion: 1)
        changes.linesAdded = .exact(added)
        changes.linesRemoved = .exact(removed)
        changes.linesChanged = .exact(changed)
        changes.headerFields = header
        return changes
    }

    @Test func repsSeeAFewLinesChangedAndWhichHeaderFieldsNeverMore() throws {
        let one = changes(added: 0, removed: 0, changed: 1, header: ["headcount", "attestations.equality_audit_on"])
        #expect(one.linesSentence == "0 lines added, 0 removed, 1 changed")
        let reps = one.forReps()
        #expect(reps.linesSentence == "0 lines added, 0 removed, fewer than 5 changed")
        #expect(reps.headerFields == ["headcount", "attestations.equality_audit_on"])
        #expect(reps.previousVersion == 1)
        let many = changes(added: 5, removed: 4, changed: 12).forReps()
        #expect(many.linesSentence == "5 lines added, fewer than 5 removed, 12 changed")
    }

    @Test func theStoredJSONIsUnchangedAndReadsBack() throws {
        let summary = changes(added: 1, removed: 0, changed: 3, header: ["headcount"])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(summary), as: UTF8.self)
        #expect(
            json
                == #"{"header_fields":["headcount"],"lines_added":1,"lines_changed":3,"lines_removed":0,"#
                + #""previous_lines_purged":false,"previous_version":1}"#)
        #expect(try JSONDecoder().decode(ReturnChanges.self, from: Data(json.utf8)) == summary)
        let reps = String(decoding: try encoder.encode(summary.forReps()), as: UTF8.self)
        #expect(reps.contains(#""lines_added":"fewer than 5""#))
        #expect(try JSONDecoder().decode(ReturnChanges.self, from: Data(reps.utf8)) == summary.forReps())
        #expect(ReturnChanges(previousVersion: 1).isEmpty)
        #expect(!summary.isEmpty)
    }

    @Test func repsSeeTheHeaderWithSmallCountsSuppressed() throws {
        var attestations = Attestations()
        attestations.recognitionAgreement = true
        let header = ReturnHeader(
            period: ReportingPeriod("2026-Q3")!, headcount: 3, attestations: attestations,
            contractors: [
                Contractor(
                    supplier: "Tiny Ltd", service: "security", workers: 2, hoursPerDay: 2.5, consecutiveWeeks: 9,
                    rlwPaid: false, milestone: nil)
            ])
        let reps = header.forReps()
        #expect(reps.headcount == .fewerThanFive)
        #expect(reps.contractors.first?.workers == .fewerThanFive)
        #expect(reps.attestations == attestations)
        let json = String(decoding: try JSONEncoder().encode(reps), as: UTF8.self)
        #expect(json.contains(#""headcount":"fewer than 5""#))
        #expect(json.contains(#""supplier":"Tiny Ltd""#))
    }
}
