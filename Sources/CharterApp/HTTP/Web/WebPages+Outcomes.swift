import CharterAccess
import CharterDomain
import CharterUseCases
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PGClient

extension WebPages {
    /// `/outcomes` (SPEC §11): public, with small figures withheld; the same page in full for the charter
    /// team and viewers (`AccessPolicy.outcomesView`); a rep also sees their covered employers' figures,
    /// suppressed. `/outcomes.csv` is the open data: suppressed for everyone.
    static func registerOutcomes(on group: RouterGroup<CharterRequestContext>, pool: PGPool) {
        let outcomes = Outcomes(pool: pool)
        group.get("/outcomes") { request, context -> Response in
            let period = try outcomesPeriod(request)
            let view = AccessPolicy.outcomesView(context.principal)
            guard let full = try await outcomes.report(period: period) else {
                return WebPage.render("outcomes", ["empty": true], context: context)
            }
            let report = view == .full ? full : full.suppressed()
            var data = outcomesPageData(report, full: view == .full)
            if let principal = context.principal, principal.role == .rep, !principal.coveredEmployerIDs.isEmpty,
                let covered = try await outcomes.report(
                    period: report.period, employerIDs: Array(principal.coveredEmployerIDs).sorted())
            {
                let suppressed = covered.current.suppressed().region
                data["covered"] = [
                    "count": principal.coveredEmployerIDs.count,
                    "figures": figureRows(suppressed, beside: report.current.region),
                ]
            }
            return WebPage.render("outcomes", data, context: context)
        }
        group.get("/outcomes.csv") { request, _ -> Response in
            let period = try outcomesPeriod(request)
            guard let report = try await outcomes.report(period: period) else {
                throw Problem(.notFound, "There are no outcome figures yet: no return has been counted.")
            }
            let suppressed = report.current.suppressed()
            let text = CSVWriter.document(header: RegionalOutcomes.csvHeader, rows: suppressed.csvRows)
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/csv; charset=utf-8",
                    .contentDisposition: "attachment; filename=\"charter-outcomes-\(report.period).csv\"",
                ], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    /// The `period` query parameter, nil when absent; a bad one is a 400 saying how to write it.
    static func outcomesPeriod(_ request: Request) throws -> ReportingPeriod? {
        guard let text = request.uri.queryParameters.get("period"), !text.isEmpty else { return nil }
        guard let period = ReportingPeriod(text) else {
            throw Problem(
                .badRequest,
                "The period \"\(String(text).prefix(40))\" is not a quarter: write it as YYYY-Qn, for example 2026-Q3.")
        }
        return period
    }

    /// A group's figures as table rows, with the region's beside them when given.
    static func figureRows(_ group: OutcomeGroup, beside region: OutcomeGroup? = nil) -> [[String: Any]] {
        OutcomeFigure.allCases.map { figure in
            var row: [String: Any] = ["label": figure.label, "value": figure.pageText(group[figure])]
            if let region { row["region"] = figure.pageText(region[figure]) }
            return row
        }
    }

    /// The page's values: headline figures, the summary, the charts and their tables.
    static func outcomesPageData(_ report: OutcomesReport, full: Bool) -> [String: Any] {
        let current = report.current
        let region = current.region
        let previous = report.previous?.region
        let headline: [[String: Any]] = figureRows(region).enumerated().map { index, row in
            var row = row
            let figure = OutcomeFigure.allCases[index]
            if let previous { row["previous"] = figure.pageText(previous[figure]) }
            return row
        }
        let trendRows: [[String: Any]] = report.trend.map { item in
            [
                "period": item.period.description,
                "cells": ([OutcomeFigure.employersReporting, .workers] + OutcomeCharts.series.map(\.figure)).map {
                    $0.pageText(item.region[$0])
                },
            ]
        }
        func breakdown(_ kind: OutcomeBreakdown) -> [String: Any] {
            let groups = current.groups(by: kind)
            return [
                "name": kind.rawValue, "heading": kind == .sector ? "Sector" : "Tier",
                "svg": OutcomeCharts.bars(groups, breakdown: kind, id: "chart-\(kind.rawValue)"),
                "summary": OutcomeSummary.breakdownSentence(groups, breakdown: kind),
                "rows": groups.map { group in
                    [
                        "group": OutcomeCharts.groupLabel(group.name),
                        "cells": OutcomeFigure.allCases.map { $0.pageText(group[$0]) },
                    ] as [String: Any]
                },
            ]
        }
        return [
            "period": current.period.description,
            "previousPeriod": report.previous?.period.description ?? "",
            "hasPrevious": report.previous != nil,
            "full": full,
            "headline": headline,
            "summary": OutcomeSummary.sentences(report),
            "trendSVG": OutcomeCharts.trend(report.trend, id: "chart-trend"),
            "trendHeads": (["Employers reporting", "Workers"] + OutcomeCharts.series.map(\.short)).map { ["head": $0] },
            "trendRows": trendRows,
            "figureHeads": OutcomeFigure.allCases.map { ["head": $0.label] },
            "breakdowns": [breakdown(.sector), breakdown(.tier)],
            "periods": report.trend.reversed().map {
                ["value": $0.period.description, "selected": $0.period == current.period] as [String: Any]
            },
        ]
    }
}

extension WebPages {
    /// The employer page's outcomes: its own figures for its latest counted period beside the region's,
    /// each as `AccessPolicy.outcomesView` allows (a rep sees the employer's suppressed); nil when the
    /// principal may not see them or there are none.
    static func employerOutcomes(_ id: Int64, principal: Principal, pool: PGPool) async throws -> [String: Any]? {
        let ownView = AccessPolicy.outcomesView(principal, employerID: id)
        guard ownView != .denied else { return nil }
        let outcomes = Outcomes(pool: pool)
        guard let period = try await outcomes.latestPeriod(employerID: id),
            let own = try await outcomes.employer(id, period: period)
        else { return nil }
        var region = try await outcomes.period(period).region
        if AccessPolicy.outcomesView(principal) != .full { region = region.suppressed() }
        let shown = ownView == .full ? own : own.suppressed(oneEmployer: true)
        return [
            "period": period.description, "suppressed": ownView != .full,
            "figures": figureRows(shown, beside: region),
        ]
    }
}
