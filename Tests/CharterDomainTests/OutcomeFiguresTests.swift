import CharterDomain
import Foundation
import Testing

/// SPEC §11's figures on hand-built returns for 2026-Q3 (snapshot 2026-09-30, when the 2025-26 Real
/// Living Wage of £13.45, £14.80 in London, is in force), at the boundaries of each definition and of
/// the public's suppression.
@Suite("Charter outcomes")
struct OutcomeFiguresTests {
    static let period = ReportingPeriod("2026-Q3")!
    static let rate = try! RateTable.specDefaults.realLivingWageInForce(on: period.snapshot)

    /// A direct, permanent, 21+ worker outside London on £14 for 37.5 hours, sex not given.
    static let baseline: WorkerLine = {
        let json = """
            {"workerRef": "W1", "employmentType": "direct", "contractType": "permanent", "ageBand": "21_plus",
             "apprenticeFirstYear": false, "workplaceLondon": false, "hourlyRate": 14, "contractedHours": 37.5,
             "zhcByRequest": false, "fewerHoursByRequest": false, "startDate": "2020-01-01",
             "shiftsScheduled": 0, "shiftsShortNotice": 0, "shiftsCancelledShortNotice": 0, "shiftsCancelledPaid": 0}
            """
        return try! JSONDecoder().decode(WorkerLine.self, from: Data(json.utf8))
    }()

    func line(_ change: (inout WorkerLine) -> Void = { _ in }) -> WorkerLine {
        var line = Self.baseline
        change(&line)
        return line
    }

    func header(headcount: Int, recognition: Bool? = nil) -> ReturnHeader {
        var attestations = Attestations()
        attestations.recognitionAgreement = recognition
        return ReturnHeader(period: Self.period, headcount: headcount, attestations: attestations, contractors: [])
    }

    func figures(_ lines: [WorkerLine], recognition: Bool? = nil) -> OutcomeFigures {
        OutcomeFigures(header: header(headcount: lines.count, recognition: recognition), lines: lines)
    }

    func counted(
        _ employer: Int64, _ lines: [WorkerLine], version: Int = 1, sector: Sector = .private, tier: Tier? = .aspiring,
        recognition: Bool? = nil
    ) -> OutcomeReturn {
        OutcomeReturn(
            employerID: employer, version: version, sector: sector, tier: tier,
            figures: figures(lines, recognition: recognition), rate: Self.rate)
    }

    // MARK: One return's figures

    @Test func londonLinesAreJudgedAgainstTheLondonRate() {
        let figures = figures([
            line { $0.hourlyRate = money("13.45") },  // exactly the UK rate: not below
            line { $0.hourlyRate = money("13.4499") },  // below the UK rate
            line {
                $0.hourlyRate = money("14.00")
                $0.workplaceLondon = true
            },  // above the UK rate, below London's
            line {
                $0.hourlyRate = money("14.80")
                $0.workplaceLondon = true
            },  // exactly London's: not below
        ])
        #expect(figures.rlwInScope == 4)
        #expect(figures.belowRealLivingWage(Self.rate) == 2)
        #expect(figures.rlwRatesUK == [134_499, 134_500])
        #expect(figures.rlwRatesLondon == [140_000, 148_000])
    }

    @Test func excludedContractTypesUnder18sAndOtherEmploymentsAreOutOfScope() {
        let excluded: [ContractType] = [.apprentice, .intern, .volunteer]
        let included: [ContractType] = [.permanent, .fixedTerm, .zeroHours, .casual]
        var lines = (excluded + included).map { type in
            line {
                $0.contractType = type; $0.hourlyRate = 10
            }
        }
        lines.append(
            line {
                $0.ageBand = .under18; $0.hourlyRate = 10
            })
        lines.append(
            line {
                $0.ageBand = .eighteen; $0.hourlyRate = 10
            })
        lines.append(
            line {
                $0.employmentType = .agency; $0.hourlyRate = 10
            })
        lines.append(
            line {
                $0.employmentType = .contractor; $0.hourlyRate = 10
            })
        let figures = figures(lines)
        #expect(figures.rlwInScope == included.count + 1)
        #expect(figures.belowRealLivingWage(Self.rate) == included.count + 1)
        #expect(figures.lines == 11)
        #expect(figures.directLines == 9)
    }

    @Test func insecureZeroHoursAndLowHoursFollowTheirDefinitions() {
        let figures = figures([
            line {
                $0.contractType = .zeroHours; $0.contractedHours = 0
            },  // insecure, zero-hours, low hours
            line { $0.contractType = .casual },  // insecure
            line { $0.employmentType = .agency },  // insecure, not direct
            line {
                $0.employmentType = .agency; $0.contractType = .zeroHours
            },  // insecure once, not direct
            line { $0.contractedHours = money("15.99") },  // low hours
            line { $0.contractedHours = 16 },  // not low hours
            line {
                $0.employmentType = .contractor; $0.contractedHours = 2
            },  // not direct: not low hours
        ])
        #expect(figures.lines == 7)
        #expect(figures.insecureLines == 4)
        #expect(figures.directLines == 4)
        #expect(figures.directZeroHours == 1)
        #expect(figures.directLowHours == 2)
    }

    @Test func blankSexIsLeftOutOfThePayGapAndOnlyDirectLinesCount() {
        let figures = figures([
            line {
                $0.sex = .male; $0.hourlyRate = 20
            },
            line {
                $0.sex = .female; $0.hourlyRate = 15
            },
            line {
                $0.sex = nil; $0.hourlyRate = 100
            },
            line {
                $0.sex = .female; $0.hourlyRate = 1; $0.employmentType = .agency
            },
        ])
        #expect(figures.maleRates == [200_000])
        #expect(figures.femaleRates == [150_000])
    }

    @Test func theHeaderGivesHeadcountAndRecognition() {
        let answered = OutcomeFigures(header: header(headcount: 412, recognition: false), lines: [line()])
        #expect(answered.headcount == 412)
        #expect(answered.recognitionAgreement == false)
        #expect(figures([line()]).recognitionAgreement == nil)
    }

    @Test func aCorrectedRateMovesBelowRLW() {
        let figures = figures([line { $0.hourlyRate = money("13.50") }, line { $0.hourlyRate = money("13.60") }])
        #expect(figures.belowRealLivingWage(Self.rate) == 0)
        var corrected = Self.rate
        corrected.uk = money("13.55")
        #expect(figures.belowRealLivingWage(corrected) == 1)
    }

    // MARK: The region

    @Test func everyFigureOverThreeReturns() throws {
        let outcomes = RegionalOutcomes(
            period: Self.period,
            returns: [
                counted(
                    1,
                    [
                        line {
                            $0.sex = .male; $0.hourlyRate = 20
                        },
                        line {
                            $0.sex = .female; $0.hourlyRate = 10; $0.contractType = .zeroHours
                        },
                    ], recognition: true),
                counted(
                    2,
                    [
                        line {
                            $0.sex = .male; $0.hourlyRate = 16
                        },
                        line {
                            $0.sex = .female; $0.hourlyRate = 14; $0.contractedHours = 10
                        },
                    ], sector: .public, tier: .accredited, recognition: false),
                counted(
                    3,
                    [
                        line { $0.employmentType = .agency },
                        line {
                            $0.sex = .female; $0.hourlyRate = 12
                        },
                    ]),
            ])
        let region = outcomes.region
        #expect(region[.employersReporting] == 3)
        #expect(region[.workers] == 6)
        #expect(region[.lines] == 6)
        #expect(region[.directWorkers] == 5)
        #expect(region[.rlwInScope] == 5)
        #expect(region[.belowRLW] == 2)  // £10 and £12
        #expect(region[.belowRLWShare] == Decimal(2) / 5)
        #expect(region[.zeroHoursShare] == Decimal(1) / 5)
        #expect(region[.insecureShare] == Decimal(2) / 6)
        #expect(region[.lowHoursShare] == Decimal(1) / 5)
        #expect(region[.unionRecognitionShare] == Decimal(1) / 2)
        // Men 20, 16: mean 18, median 18. Women 10, 14, 12: mean 12, median 12. Gap (18 − 12) / 18.
        let gap = try #require(region[.payGapMean])
        #expect(gap.roundedPlain(4) == money("33.3333"))
        #expect(region[.payGapMedian]?.roundedPlain(4) == money("33.3333"))
        #expect(outcomes.bySector.map(\.name) == ["private", "public", "voluntary"])
        #expect(outcomes.bySector.map { $0[.employersReporting] } == [2, 1, 0])
        #expect(outcomes.byTier.map(\.name) == ["aspiring", "accredited"])
        #expect(outcomes.byTier.map { $0[.workers] } == [4, 2])
    }

    @Test func theMedianOfAnEvenNumberIsTheMeanOfTheMiddleTwo() {
        let outcomes = RegionalOutcomes(
            period: Self.period,
            returns: [
                counted(
                    1,
                    ([10, 11, 30, 40] as [Decimal]).map { rate in
                        line {
                            $0.sex = .male; $0.hourlyRate = rate
                        }
                    }),
                counted(
                    2,
                    ([9, 10] as [Decimal]).map { rate in
                        line {
                            $0.sex = .female; $0.hourlyRate = rate
                        }
                    }),
            ])
        // Men: median (11 + 30) / 2 = 20.5, mean 22.75. Women: median 9.5, mean 9.5.
        #expect(outcomes.region[.payGapMedian] == (money("20.5") - money("9.5")) / money("20.5") * 100)
        #expect(outcomes.region[.payGapMean] == (money("22.75") - money("9.5")) / money("22.75") * 100)
    }

    @Test func noSexGivenMeansNoPayGap() {
        let outcomes = RegionalOutcomes(period: Self.period, returns: [counted(1, [line(), line()])])
        #expect(outcomes.region[.payGapMean] == nil)
        #expect(outcomes.region[.payGapMedian] == nil)
        #expect(outcomes.region[.unionRecognitionShare] == nil)
    }

    @Test func anAmendedReturnCountsOnceAtItsLatestVersion() {
        let outcomes = RegionalOutcomes(
            period: Self.period,
            returns: [
                counted(1, [line { $0.hourlyRate = 10 }], version: 1),
                counted(1, [line(), line()], version: 3),
                counted(1, [line(), line(), line(), line()], version: 2),
                counted(2, [line()]),
            ])
        #expect(outcomes.region[.employersReporting] == 2)
        #expect(outcomes.region[.lines] == 3)
        #expect(outcomes.region[.belowRLW] == 0)
    }

    @Test func onlyReturnsGivenAreCountedAndAnEmptyGroupHasNoShares() {
        let outcomes = RegionalOutcomes(period: Self.period, returns: [])
        #expect(outcomes.region[.employersReporting] == 0)
        #expect(outcomes.region[.belowRLWShare] == nil)
        #expect(outcomes.byTier.map(\.name) == ["aspiring", "accredited"])
    }

    @Test func returnsWithoutAPledgeFormTheirOwnTierGroup() {
        let outcomes = RegionalOutcomes(period: Self.period, returns: [counted(1, [line()], tier: nil)])
        #expect(outcomes.byTier.map(\.name) == ["aspiring", "accredited", "none"])
        #expect(outcomes.byTier.last?[.employersReporting] == 1)
    }

    // MARK: Suppression

    /// Three employers whose in-scope lines add up to `workers` (spread 1, 1, rest).
    func threeEmployers(inScope workers: Int) -> RegionalOutcomes {
        let counts = [1, 1, workers - 2]
        return RegionalOutcomes(
            period: Self.period,
            returns: counts.enumerated().map { index, count in
                counted(Int64(index + 1), (0..<count).map { _ in line { $0.hourlyRate = 10 } })
            })
    }

    @Test func fourWorkersAreWithheldFiveAreShown() {
        let four = threeEmployers(inScope: 4).suppressed().region
        #expect(four[.belowRLWShare] == nil)
        #expect(four[.belowRLW] == nil)
        #expect(four[.employersReporting] == nil)  // drawn from a headcount of 4
        #expect(four.withheld.contains(.belowRLWShare))
        #expect(four.isSuppressed)
        let five = threeEmployers(inScope: 5).suppressed().region
        #expect(five[.belowRLWShare] == 1)
        #expect(five[.belowRLW] == 5)
        #expect(five[.employersReporting] == 3)
        #expect(five.withheld.contains(.belowRLWShare) == false)
        // The pay gap has no one to draw from: nothing to show, but nothing to compute either.
        #expect(five[.payGapMean] == nil)
    }

    @Test func twoEmployersAreWithheldThreeAreShown() {
        func employers(_ count: Int) -> OutcomeGroup {
            RegionalOutcomes(
                period: Self.period,
                returns: (1...count).map { id in counted(Int64(id), (0..<10).map { _ in line() }) }
            ).suppressed().region
        }
        let two = employers(2)
        // No sex given and no recognition answered: those three have no value, so nothing to withhold.
        let computable = Set(OutcomeFigure.allCases).subtracting([.payGapMean, .payGapMedian, .unionRecognitionShare])
        #expect(two.withheld == computable)
        #expect(OutcomeFigure.allCases.allSatisfy { two[$0] == nil })
        let three = employers(3)
        #expect(three.withheld.isEmpty)
        #expect(three[.workers] == 30)
        #expect(three[.insecureShare] == 0)
    }

    @Test func theFullViewWithholdsNothing() {
        let full = threeEmployers(inScope: 4)
        #expect(full.region.withheld.isEmpty)
        #expect(full.region[.belowRLW] == 4)
    }

    @Test func aFigureIsWithheldByItsOwnPopulation() {
        // Ten workers in each of three employers, but only two employers answered recognition, and only
        // two employers' lines give sex: those figures are withheld while the rest are shown.
        let outcomes = RegionalOutcomes(
            period: Self.period,
            returns: [
                counted(1, (0..<10).map { _ in line { $0.sex = .male } }, recognition: true),
                counted(
                    2,
                    (0..<10).map { _ in
                        line {
                            $0.sex = .female; $0.hourlyRate = 13
                        }
                    }, recognition: false),
                counted(3, (0..<10).map { _ in line() }),
            ]
        ).suppressed()
        #expect(outcomes.region.withheld == [.unionRecognitionShare, .payGapMean, .payGapMedian])
        #expect(outcomes.region[.belowRLWShare] == Decimal(10) / 30)
    }

    /// Region 20 workers, private 15 of them: withholding only the lone voluntary employer would let anyone
    /// work its 5 out by subtraction, so private is withheld with it; a sector nobody is in has nothing to hide.
    @Test func noWithheldGroupCanBeWorkedOutBySubtraction() {
        let outcomes = RegionalOutcomes(
            period: Self.period,
            returns: (1...4).map { id in
                counted(Int64(id), (0..<5).map { _ in line() }, sector: id == 4 ? .voluntary : .private)
            }
        ).suppressed()
        #expect(outcomes.region.withheld.isEmpty)
        #expect(outcomes.region[.workers] == 20)
        #expect(outcomes.bySector.map(\.name) == ["private", "public", "voluntary"])
        #expect(outcomes.bySector.map(\.isSuppressed) == [true, false, true])
        #expect(outcomes.bySector[0][.workers] == nil)
        #expect(outcomes.bySector[2][.workers] == nil)
        #expect(outcomes.bySector[1][.employersReporting] == 0)
        // With three employers in each of two sectors, both are shown.
        let both = RegionalOutcomes(
            period: Self.period,
            returns: (1...6).map { id in
                counted(Int64(id), (0..<5).map { _ in line() }, sector: id > 3 ? .voluntary : .private)
            }
        ).suppressed()
        #expect(both.bySector.map(\.isSuppressed) == [false, false, false])
        #expect(both.bySector[0][.workers] == 15)
    }

    /// One employer's own figures, as its reps see them: a count of 1–4 workers, and a share that counts
    /// them, is withheld even when drawn from enough workers.
    @Test func oneEmployersSmallCountsAreWithheldFromItsReps() {
        let group = OutcomeGroup(
            name: "region",
            returns: [counted(1, (0..<10).map { index in line { $0.hourlyRate = index == 0 ? 10 : 14 } })])
        #expect(group[.belowRLW] == 1)
        let forReps = group.suppressed(oneEmployer: true)
        #expect(forReps.withheld.isSuperset(of: [.belowRLW, .belowRLWShare]))
        #expect(forReps[.workers] == 10)
    }

    // MARK: Presentation

    @Test func sharesReadAsPercentagesWithOneDecimalOnPagesAndFourDecimalsInJSON() {
        let third = Decimal(1) / 3
        #expect(OutcomeFigure.belowRLWShare.pageText(third) == "33.3%")
        #expect(OutcomeFigure.belowRLWShare.jsonValue(third) == money("0.3333"))
        #expect(OutcomeFigure.payGapMean.pageText(money("12.25")) == "12.3%")
        #expect(OutcomeFigure.payGapMean.pageText(money("-4")) == "-4.0%")
        #expect(OutcomeFigure.workers.pageText(1_234_567) == "1,234,567")
        #expect(OutcomeFigure.workers.pageText(nil) == "—")
        #expect(OutcomeFigure.zeroHoursShare.pageText(0) == "0.0%")
    }
}

@Suite("One employer's outcomes shown to its reps")
struct OneEmployerOutcomeTests {
    @Test func onlyFiguresOfFewerThanFiveWorkersAreWithheld() {
        let five = (0..<5).map { _ in OutcomeFiguresTests.baseline }
        let four = Array(five.prefix(4))
        func group(_ lines: [WorkerLine]) -> OutcomeGroup {
            let header = ReturnHeader(
                period: OutcomeFiguresTests.period, headcount: lines.count, attestations: Attestations(),
                contractors: [])
            return RegionalOutcomes(
                period: OutcomeFiguresTests.period,
                returns: [
                    OutcomeReturn(
                        employerID: 1, sector: .private, tier: nil,
                        figures: OutcomeFigures(header: header, lines: lines),
                        rate: OutcomeFiguresTests.rate)
                ]
            ).region
        }
        #expect(group(five).suppressed(oneEmployer: true)[.belowRLWShare] == 0)
        #expect(group(five).suppressed()[.belowRLWShare] == nil)
        #expect(group(four).suppressed(oneEmployer: true)[.belowRLWShare] == nil)
    }
}

@Suite("Outcomes as JSON and CSV")
struct OutcomeExportTests {
    /// Three employers of 10 workers each, in two sectors (one of them a single employer).
    static let outcomes: RegionalOutcomes = {
        let line = OutcomeFiguresTests.baseline
        return RegionalOutcomes(
            period: OutcomeFiguresTests.period,
            returns: (1...3).map { id in
                let header = ReturnHeader(
                    period: OutcomeFiguresTests.period, headcount: 10, attestations: Attestations(), contractors: [])
                return OutcomeReturn(
                    employerID: Int64(id), sector: id == 3 ? .public : .private, tier: .aspiring,
                    figures: OutcomeFigures(header: header, lines: Array(repeating: line, count: 10)),
                    rate: OutcomeFiguresTests.rate)
            })
    }()

    func json(_ document: OutcomesDocument) throws -> [String: Any] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(document)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func theFullJSONHasEveryFigureByItsSPECName() throws {
        let object = try json(OutcomesDocument(Self.outcomes, breakdown: nil, marksSuppression: false))
        #expect(Set(object.keys) == Set(OutcomeFigure.allCases.map(\.rawValue) + ["period"]))
        #expect(object["period"] as? String == "2026-Q3")
        #expect((object["workers"] as? NSNumber)?.intValue == 30)
        #expect(object["pay_gap_mean"] is NSNull)
    }

    @Test func thePublicJSONWithholdsEverySmallFigureAndSaysSo() throws {
        let object = try json(OutcomesDocument(Self.outcomes.suppressed(), breakdown: .sector, marksSuppression: true))
        #expect(object["suppressed"] as? Bool == false)  // the pay gap and recognition have no value to withhold
        #expect((object["workers"] as? NSNumber)?.intValue == 30)
        let groups = try #require(object["groups"] as? [[String: Any]])
        #expect(groups.map { $0["sector"] as? String } == ["private", "public", "voluntary"])
        let lone = groups[1]
        #expect(lone["suppressed"] as? Bool == true)
        for figure in OutcomeFigure.allCases { #expect(lone[figure.rawValue] is NSNull) }
        #expect((lone["withheld"] as? [String])?.count == OutcomeFigure.allCases.count - 3)
    }

    @Test func theCSVNamesEachFigureAndThePeriodAndLeavesWithheldCellsEmpty() {
        let rows = Self.outcomes.suppressed().csvRows
        #expect(RegionalOutcomes.csvHeader.first == "period")
        #expect(RegionalOutcomes.csvHeader.contains("below_rlw_share"))
        #expect(rows.count == 1 + 3 + 2)
        let header = RegionalOutcomes.csvHeader
        let publicRow = rows[2]
        #expect(publicRow[0] == "2026-Q3")
        #expect(publicRow[2] == "public")
        #expect(publicRow[header.firstIndex(of: "workers")!] == "")
        #expect(publicRow.last == "true")
        #expect(rows[0][header.firstIndex(of: "workers")!] == "30")
        #expect(rows[0][header.firstIndex(of: "below_rlw_share")!] == "0")
    }
}

@Suite("The median of a region's rates")
struct OutcomeMedianTests {
    /// The medians found by selection equal the sorted middle, on many sizes and with many ties.
    @Test func selectionFindsTheSortedMiddle() {
        var state: UInt64 = 2026
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        for count in [1, 2, 3, 4, 5, 10, 101, 1_000, 4_096] {
            let men = (0..<count).map { _ in Int32(100_000 + Int(next() % 50) * 1_000) }
            let women = (0..<(count + 1)).map { _ in Int32(90_000 + Int(next() % 7) * 5_000) }
            func line(_ rates: [Int32], _ sex: Sex) -> [WorkerLine] {
                rates.map { rate in
                    var line = OutcomeFiguresTests.baseline
                    line.sex = sex
                    line.hourlyRate = Decimal(Int(rate)) / 10_000
                    return line
                }
            }
            let header = ReturnHeader(
                period: OutcomeFiguresTests.period, headcount: count, attestations: Attestations(), contractors: [])
            let figures = OutcomeFigures(header: header, lines: line(men, .male) + line(women, .female))
            let outcomes = RegionalOutcomes(
                period: OutcomeFiguresTests.period,
                returns: [
                    OutcomeReturn(
                        employerID: 1, sector: .private, tier: nil, figures: figures, rate: OutcomeFiguresTests.rate)
                ])
            func sortedMedian(_ rates: [Int32]) -> Decimal {
                let sorted = rates.sorted()
                let middle = sorted.count / 2
                if sorted.count % 2 == 1 { return Decimal(Int(sorted[middle])) }
                return (Decimal(Int(sorted[middle - 1])) + Decimal(Int(sorted[middle]))) / 2
            }
            let male = sortedMedian(men)
            #expect(outcomes.region[.payGapMedian] == (male - sortedMedian(women)) / male * 100, "\(count) rates")
        }
    }
}
