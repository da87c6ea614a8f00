import CharterDomain
import Foundation
import Testing
import ZIPFoundation

/// SPEC §10 "Evidence files": a file is judged by what is in it — PDF, PNG, JPEG, DOCX, XLSX, CSV or
/// plain text — never by its name alone; a program renamed to look like a document, an HTML page, a
/// file over 10 MB and an empty one are refused with a sentence naming the file.
@Suite("Evidence files checked by content")
struct EvidenceFileTests {
    static let pdf = Array("%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n".utf8)
    static let png: [UInt8] =
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array(repeating: 0, count: 20)
    static let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16] + Array("JFIF".utf8) + Array(repeating: 0, count: 20)
    static let elf: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + Array(repeating: 0, count: 120)
    static let windowsProgram: [UInt8] = Array("MZ".utf8) + [0x90, 0, 3, 0] + Array(repeating: 0, count: 120)

    /// A ZIP holding `paths` (each a small XML part), as Word and Excel write their files.
    static func zip(_ paths: [String]) throws -> [UInt8] {
        let archive = try Archive(accessMode: .create)
        for path in paths {
            let part = Data("<?xml version=\"1.0\"?><part/>".utf8)
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(part.count),
                provider: { position, size in part.subdata(in: Int(position)..<Int(position) + size) })
        }
        return Array(try #require(archive.data))
    }

    static func type(_ content: [UInt8], _ name: String) -> Result<EvidenceType, ApplicationProblem> {
        EvidenceFile.type(of: content, named: name)
    }

    @Test func eachAcceptedKindIsRecognisedByItsContent() throws {
        #expect(try Self.type(Self.pdf, "policy.pdf").get() == .pdf)
        #expect(try Self.type(Self.png, "rota.PNG").get() == .png)
        #expect(try Self.type(Self.jpeg, "notice.jpeg").get() == .jpeg)
        #expect(try Self.type(Self.jpeg, "notice.jpg").get() == .jpeg)
        let docx = try Self.zip(["[Content_Types].xml", "_rels/.rels", "word/document.xml"])
        #expect(try Self.type(docx, "Pay policy 2026.docx").get() == .docx)
        let xlsx = try Self.zip(["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"])
        #expect(try Self.type(xlsx, "rates.xlsx").get() == .xlsx)
        #expect(try Self.type(Array("grade,rate\nA,12.60\n".utf8), "rates.csv").get() == .csv)
        #expect(try Self.type(Array("Minutes of the board, 3 November.\n".utf8), "minutes.txt").get() == .text)
        #expect(EvidenceType.docx.mediaType.hasPrefix("application/vnd.openxmlformats"))
    }

    @Test func aRenamedProgramIsRefusedWhateverItIsCalled() {
        for (content, name) in [
            (Self.elf, "policy.pdf"), (Self.elf, "rates.csv"), (Self.windowsProgram, "minutes.docx"),
            (Self.windowsProgram, "photo.jpg"),
        ] {
            guard case .failure(let problem) = Self.type(content, name) else {
                Issue.record("\(name) holding a program was accepted")
                continue
            }
            #expect(problem.field == "file")
            #expect(
                problem.message.hasPrefix(
                    "\(name) is not a PDF, PNG, JPEG, Word (DOCX), Excel (XLSX), CSV or plain text file"))
        }
    }

    @Test func aZipThatIsNotAWordOrExcelFileIsRefused() throws {
        let other = try Self.zip(["[Content_Types].xml", "ppt/presentation.xml"])
        #expect(throws: ApplicationProblem.self) { try Self.type(other, "slides.docx").get() }
        let plain = try Self.zip(["readme.txt"])
        #expect(throws: ApplicationProblem.self) { try Self.type(plain, "archive.xlsx").get() }
    }

    @Test func htmlAndScriptsAreNotPlainText() {
        for text in [
            "<!DOCTYPE html><p>hi</p>", "  <html><body>x</body></html>", "<script>alert(1)</script>",
            "<svg onload=alert(1)>", "\u{FEFF}<?xml version=\"1.0\"?><a/>",
        ] {
            #expect(throws: ApplicationProblem.self, "\(text)") { try Self.type(Array(text.utf8), "notes.txt").get() }
        }
        // Text with a control character (other than tab and line breaks) is not plain text either.
        #expect(throws: ApplicationProblem.self) { try Self.type(Array("a\u{1B}[31mred".utf8), "notes.txt").get() }
    }

    @Test func aFileNamedAsAnotherKindIsRefusedWithTheKindItIs() {
        guard case .failure(let problem) = Self.type(Self.pdf, "rota.png") else {
            Issue.record("a PDF named .png was accepted")
            return
        }
        #expect(
            problem.message
                == "rota.png is a PDF but its name ends in .png; rename it to end in .pdf and upload it again.")
        guard case .failure(let text) = Self.type(Array("a,b\n".utf8), "rates.xls") else {
            Issue.record("text named .xls was accepted")
            return
        }
        #expect(text.message.contains("should end in .txt or .csv"))
    }

    @Test func sizeLimitsAndEmptyFiles() throws {
        let limit = EvidenceFile.maximumBytes
        #expect(limit == 10 * 1024 * 1024)
        var exactly = Self.pdf
        exactly += Array(repeating: 0x20, count: limit - exactly.count)
        #expect(try Self.type(exactly, "big.pdf").get() == .pdf)
        let over = exactly + Array(repeating: 0x20, count: 1024 * 1024)
        guard case .failure(let problem) = Self.type(over, "big.pdf") else {
            Issue.record("an 11 MB file was accepted")
            return
        }
        #expect(problem.message.hasPrefix("big.pdf is 11.0 MB; an evidence file may be at most 10 MB."))
        #expect(throws: ApplicationProblem.self) { try Self.type([], "empty.pdf").get() }
    }

    @Test func theNameKeptIsTheLastPathComponentAndMustBePlainText() throws {
        #expect(try EvidenceFile.name("C:\\Users\\robin\\Pay policy.pdf").get() == "Pay policy.pdf")
        #expect(try EvidenceFile.name("../../etc/passwd.txt").get() == "passwd.txt")
        #expect(throws: ApplicationProblem.self) { try EvidenceFile.name("   ").get() }
        #expect(throws: ApplicationProblem.self) { try EvidenceFile.name("a\u{7}.pdf").get() }
        #expect(throws: ApplicationProblem.self) {
            try EvidenceFile.name(String(repeating: "x", count: 300) + ".pdf").get()
        }
    }
}

/// SPEC §10 "Application": what must be there before an application goes to the charter team.
@Suite("What an application needs before it is sent")
struct ApplicationCompletenessTests {
    let today = CalendarDate(year: 2026, month: 12, day: 6)!

    @Test func aNewApplicationListsEverythingMissing() {
        let fields = Set(ApplicationDetails(organisationName: "").submissionProblems().map(\.field))
        #expect(
            fields == [
                "organisation_name", "sector", "size_band", "london_workplaces", "contact_name", "contact_email",
                "tier",
            ])
        // A company needs its number; a public body or charity may have none.
        let company = ApplicationDetails(organisationName: "Mersey Ferries", sector: .private)
        #expect(company.submissionProblems().map(\.field).contains("company_number"))
        let council = ApplicationDetails(organisationName: "Sefton Council", sector: .public)
        #expect(!council.submissionProblems().map(\.field).contains("company_number"))
    }

    @Test func workingTowardsNeedsAPlanAndAFutureTargetDate() {
        let unanswered = StandardAnswer(standardID: "pay.real-living-wage")
        #expect(unanswered.submissionProblems(today: today).map(\.field) == ["assessment-pay.real-living-wage"])
        var towards = StandardAnswer(standardID: "pay.real-living-wage", assessment: .workingTowards)
        #expect(
            Set(towards.submissionProblems(today: today).map(\.field))
                == ["plan-pay.real-living-wage", "target-pay.real-living-wage"])
        towards.plan = "April pay round"
        towards.targetDate = today
        #expect(
            towards.submissionProblems(today: today).map(\.message)
                == ["pay.real-living-wage: the target date 2026-12-06 has passed; give a date after 2026-12-06."])
        towards.targetDate = today.adding(days: 1)
        #expect(towards.submissionProblems(today: today).isEmpty)
        #expect(StandardAnswer(standardID: "a", assessment: .notApplicable).submissionProblems(today: today).isEmpty)
    }

    @Test func tooMuchTextIsRefusedNamingTheField() {
        let long = String(repeating: "x", count: 4_001)
        let answer = StandardAnswer(standardID: "hours.living-hours", assessment: .met, note: long)
        #expect(answer.textProblems().map(\.field) == ["note-hours.living-hours"])
        let details = ApplicationDetails(organisationName: "A", sizeBand: "about forty")
        #expect(details.textProblems().map(\.field) == ["size_band"])
    }
}
