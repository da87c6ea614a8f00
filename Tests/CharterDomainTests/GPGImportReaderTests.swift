import CharterDomain
import Foundation
import Testing

/// A GPG-shaped file: the real header (27 columns) and the given rows, each a full row of 27 values.
private func gpgFile(_ rows: [String]) -> String {
    let header =
        #""EmployerName","EmployerId","Address","PostCode","CompanyNumber","SicCodes","DiffMeanHourlyPercent","#
        + #""DiffMedianHourlyPercent","DiffMeanBonusPercent","DiffMedianBonusPercent","MaleBonusPercent","#
        + #""FemaleBonusPercent","MaleLowerQuartile","FemaleLowerQuartile","MaleLowerMiddleQuartile","#
        + #""FemaleLowerMiddleQuartile","MaleUpperMiddleQuartile","FemaleUpperMiddleQuartile","MaleTopQuartile","#
        + #""FemaleTopQuartile","CompanyLinkToGPGInfo","ResponsiblePerson","EmployerSize","CurrentName","#
        + #""SubmittedAfterTheDeadline","DueDate","DateSubmitted""#
    return ([header] + rows).joined(separator: "\r\n") + "\r\n"
}

/// One row with the given name, id and company number and the pay figures left blank.
private func gpgRow(name: String = "ACME LIMITED", id: String = "42", companyNumber: String = "01234567") -> String {
    let figures = Array(repeating: "\"\"", count: 14).joined(separator: ",")
    return "\"\(name)\",\"\(id)\",\"1 High St, Leeds\",\"LS1 1AA\",\"\(companyNumber)\",\"70100\",\(figures),\"\","
        + "\"\",\"250 to 499\",\"\",\"False\",\"2022/04/05 00:00:00\",\"2022/03/01 10:00:00\""
}

private func read(_ text: String) -> (employers: [GPGEmployer], report: ValidationReport) {
    GPGImportReader.read(Data(text.utf8))
}

@Suite("Gender Pay Gap employer import")
struct GPGImportReaderTests {
    @Test func theSampleDownloadGivesItsSevenEmployers() throws {
        let (employers, report) = GPGImportReader.read(try Data(contentsOf: fixtureURL("gpg-2021-22-sample.csv")))
        #expect(report.errors.isEmpty)
        #expect(report.warnings.isEmpty)
        #expect(employers.map(\.gpgEmployerID) == [19070, 16879, 687, 77, 293, 18159, 719])

        let aberystwyth = employers[0]
        #expect(aberystwyth.line == 2)
        #expect(aberystwyth.name == "'PRIFYSGOL ABERYSTWYTH' AND 'ABERYSTWYTH UNIVERSITY'")
        #expect(aberystwyth.companyNumber?.value == "RC000641")
        #expect(aberystwyth.sicCodes == [])
        #expect(aberystwyth.sizeBand == "1000 to 4999")
        #expect(aberystwyth.postcode == "SY23 3FL")
        #expect(aberystwyth.responsiblePerson == "Dylan Jones (Diversity and Inclusion Manager)")

        let redBand = employers[1]
        #expect(redBand.name == "\"RED BAND\" CHEMICAL COMPANY, LIMITED")
        #expect(redBand.companyNumber?.value == "SC016876")
        #expect(redBand.address == "19 Smith's Place, Leith Walk, Edinburgh, EH6 8NU")
        #expect(redBand.sicCodes == ["47730"])

        let oneLife = employers[2]
        #expect(oneLife.sicCodes == ["93110", "93130", "93290"])
        #expect(oneLife.companyNumber?.value == "02566586")
        #expect(oneLife.sizeBand == "Less than 250")
        // Its SIC codes span three physical lines, so the next row starts three lines later.
        #expect(employers[3].line == oneLife.line + 3)

        #expect(employers[3].name == "2 SISTERS FOOD GROUP LIMITED")
        #expect(employers[3].sizeBand == "5000 to 19,999")
        #expect(employers[4].sicCodes == ["20301", "23910", "32990"])
        #expect(employers[5].responsiblePerson == nil)
    }

    @Test func theSampleFedOneByteAtATimeGivesTheSameEmployers() throws {
        let data = try Data(contentsOf: fixtureURL("gpg-2021-22-sample.csv"))
        let whole = GPGImportReader.read(data)
        var reader = GPGImportReader()
        var employers: [GPGEmployer] = []
        for byte in data { reader.consume(CollectionOfOne(byte)) { employers.append($0) } }
        reader.finish { employers.append($0) }
        #expect(employers.count == 7)
        #expect(employers == whole.employers)
        #expect(reader.report == whole.report)
        #expect(reader.employersRead == 7)
    }

    @Test func columnsAreFoundByNameInAnyOrderAndCaseWithUnknownOnesIgnored() {
        let text = """
            "Reporting Year","employerid","EMPLOYERNAME","CompanyNumber","SicCodes","NewColumn2030"
            "2021-22","5","Little Co","sc123456","1,\n85410,1","x"

            """
        let (employers, report) = read(text)
        #expect(report.isAccepted)
        #expect(
            employers == [
                GPGEmployer(
                    line: 2, gpgEmployerID: 5, name: "Little Co", companyNumber: CompanyNumber("SC123456"),
                    sicCodes: ["1", "85410"])
            ])
    }

    @Test func currentNameWinsOverTheNameAtReportingTime() {
        let text = """
            EmployerName,EmployerId,CurrentName
            OLD NAME LTD,9,  NEW NAME LTD\u{20}
            KEPT NAME LTD,10,
            """
        let (employers, _) = read(text)
        #expect(employers.map(\.name) == ["NEW NAME LTD", "KEPT NAME LTD"])
    }

    @Test func aMissingEmployerIdColumnIsOneErrorAndNoRowIsRead() {
        let text = """
            "EmployerName","Address","CompanyNumber"
            "ACME LIMITED","1 High St","01234567"
            """
        let (employers, report) = read(text)
        #expect(employers.isEmpty)
        #expect(report.totalErrors == 1)
        #expect(report.errors.first?.line == 1)
        #expect(report.errors.first?.message.contains("no EmployerId column") == true)
    }

    @Test func missingBothRequiredColumnsNamesThemInOneError() {
        let (employers, report) = read("Address,PostCode\n\"1 High St\",LS1 1AA\n")
        #expect(employers.isEmpty)
        #expect(report.totalErrors == 1)
        #expect(report.errors.first?.message.contains("no EmployerName or EmployerId column") == true)
    }

    @Test func anEmptyFileIsAnError() {
        let (employers, report) = read("")
        #expect(employers.isEmpty)
        #expect(report.totalErrors == 1)
        #expect(report.errors.first?.message.contains("empty") == true)
    }

    @Test func aRepeatedEmployerIdColumnIsAnError() {
        let (employers, report) = read("EmployerName,EmployerId,employerid\nACME,1,2\n")
        #expect(employers.isEmpty)
        #expect(report.errors.map(\.column) == ["EmployerId"])
        #expect(report.errors.first?.message.contains("appears twice") == true)
    }

    @Test func aBadEmployerIdIsReportedOnItsLineAndTheOtherRowsStillComeOut() {
        let (employers, report) = read(gpgFile([gpgRow(id: "1"), gpgRow(id: "12a"), gpgRow(id: "3")]))
        #expect(employers.map(\.gpgEmployerID) == [1, 3])
        #expect(employers.map(\.line) == [2, 4])
        #expect(report.totalErrors == 1)
        let issue = report.errors.first
        #expect(issue?.line == 3)
        #expect(issue?.column == "EmployerId")
        #expect(issue?.message.contains("\"12a\" is not a whole number") == true)
    }

    @Test(arguments: ["0", "-5", "1.5", "99999999999999999999"])
    func anEmployerIdThatIsNotAPositiveWholeNumberIsAnError(id: String) {
        let (employers, report) = read(gpgFile([gpgRow(id: id)]))
        #expect(employers.isEmpty)
        #expect(report.errors.map(\.column) == ["EmployerId"])
    }

    @Test func blankEmployerIdAndNameAreBothReported() {
        let (employers, report) = read(gpgFile([gpgRow(name: "  ", id: "")]))
        #expect(employers.isEmpty)
        #expect(report.errors.map(\.column) == ["EmployerId", "EmployerName"])
        #expect(report.errors.map(\.line) == [2, 2])
        #expect(report.errors.last?.message == "EmployerName is blank; every employer needs a name")
    }

    @Test func aRepeatedEmployerIdIsAnErrorNamingTheFirstLine() {
        let (employers, report) = read(gpgFile([gpgRow(id: "7"), gpgRow(name: "OTHER", id: "7", companyNumber: "")]))
        #expect(employers.map(\.line) == [2])
        #expect(report.errors.first?.line == 3)
        #expect(report.errors.first?.message.contains("also on line 2") == true)
    }

    @Test func aRowWithTheWrongNumberOfFieldsIsAnError() {
        let (employers, report) = read("EmployerName,EmployerId,Address\nACME,1,here\nSHORT,2\nLONG,3,a,b\nGOOD,4,x\n")
        #expect(employers.map(\.gpgEmployerID) == [1, 4])
        #expect(report.errors.map(\.line) == [3, 4])
        #expect(report.errors.first?.message.contains("has 2 values but the header has 3 columns") == true)
    }

    @Test(arguments: [
        ("2566586", "02566586"), ("641", "00000641"), (" sc016876 ", "SC016876"), ("12345678", "12345678"),
    ])
    func companyNumbersAreNormalised(written: String, expected: String) {
        let (employers, report) = read(gpgFile([gpgRow(companyNumber: written)]))
        #expect(report.warnings.isEmpty)
        #expect(employers.first?.companyNumber?.value == expected)
    }

    @Test(arguments: ["123456789", "N/A", "SC16876", "0123 4567"])
    func anInvalidCompanyNumberIsAWarningAndTheEmployerIsImportedWithoutOne(written: String) {
        let (employers, report) = read(gpgFile([gpgRow(companyNumber: written)]))
        #expect(report.isAccepted)
        #expect(employers.count == 1)
        #expect(employers.first?.companyNumber == nil)
        #expect(report.warnings.map(\.line) == [2])
        #expect(report.warnings.map(\.column) == ["CompanyNumber"])
        #expect(report.warnings.first?.message.contains("is not a Companies House number") == true)
    }

    @Test func aCompanyNumberUsedTwiceIsKeptOnlyForTheFirstEmployer() {
        let (employers, report) = read(gpgFile([gpgRow(id: "1"), gpgRow(id: "2", companyNumber: "1234567")]))
        #expect(employers.map { $0.companyNumber?.value } == ["01234567", nil])
        #expect(report.warnings.map(\.line) == [3])
    }

    @Test func aBlankCompanyNumberIsSimplyAbsent() {
        let (employers, report) = read(gpgFile([gpgRow(companyNumber: " ")]))
        #expect(report.warnings.isEmpty)
        #expect(employers.first?.companyNumber == nil)
    }

    @Test func sicCodesAreSplitTrimmedAndDeduplicatedInOrder() {
        let text = "EmployerName,EmployerId,SicCodes\nA,1,\"85410,\r\n1, ,85410\n\n 47730 \"\nB,2,\n"
        let (employers, _) = read(text)
        #expect(employers.map(\.sicCodes) == [["85410", "1", "47730"], []])
    }

    @Test func notProvidedSizeBandIsAbsent() {
        let (employers, _) = read(
            "EmployerName,EmployerId,EmployerSize\nA,1,Not Provided\nB,2,\"20,000 or more\"\nC,3,\n")
        #expect(employers.map(\.sizeBand) == [nil, "20,000 or more", nil])
    }

    @Test func aBadUTF8ByteIsReportedWithItsLineAndThatRowIsSkipped() {
        var bytes = Array("EmployerName,EmployerId\nGOOD,1\n\"MULTI\nLINE\",2\nCAF".utf8)
        bytes.append(0xE9)  // Latin-1 é: the file was not saved as UTF-8
        bytes += Array(",3\nLAST,4\n".utf8)
        let (employers, report) = GPGImportReader.read(bytes)
        #expect(employers.map(\.gpgEmployerID) == [1, 2, 4])
        #expect(report.totalErrors == 1)
        #expect(report.errors.first?.line == 5)
        #expect(report.errors.first?.column == "EmployerName")
        #expect(report.errors.first?.message.contains("UTF-8") == true)
    }

    @Test func anUnclosedQuoteIsReportedAndGoodRowsBeforeItStillComeOut() {
        let (employers, report) = read("EmployerName,EmployerId\nGOOD,1\n\"OPEN,2\nMORE,3\n")
        #expect(employers.map(\.gpgEmployerID) == [1])
        #expect(report.totalErrors == 1)
        #expect(report.errors.first?.line == 3)
    }
}
