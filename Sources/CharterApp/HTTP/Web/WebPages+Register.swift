import CharterDomain
import CharterStore
import Foundation
import Hummingbird
import PGClient

extension WebPages {
    /// The public register (SPEC §10), for anyone: `/register`, a page with search that pages through
    /// the signatories, and `/register.csv`, all of them (or those the search found) as open data.
    static func registerPublicRegister(on group: RouterGroup<CharterRequestContext>, pool: PGPool) {
        let store = RegisterStore(pool: pool)
        group.get("/register") { request, context -> Response in
            let query = ListQuery(request, filters: ["q"])
            let today = CalendarDate(Date(), in: .europeLondon)
            let entries = try await store.entries(on: today, search: query["q"])
            let shown = entries.dropFirst(query.offset).prefix(ListQuery.pageSize)
            var data: [String: Any] = [
                "values": query.values,
                "asOf": WebPage.date(today),
                "accredited": entries.filter { $0.tier == .accredited }.count,
                "aspiring": entries.filter { $0.tier == .aspiring }.count,
                "entries": shown.map { entry -> [String: Any] in
                    ([
                        "name": entry.name, "sector": entry.sector.rawValue.capitalized,
                        "tier": entry.tier.rawValue.capitalized, "pledgedOn": WebPage.date(entry.pledgedOn),
                    ]
                        as [String: Any]).with("companyNumber", entry.companyNumber?.description)
                },
                "csv": query.href("/register.csv"),
                "paging": query.paging("/register", shown: shown.count, total: entries.count),
            ]
            if query["q"] != nil { data["searched"] = true }
            if entries.isEmpty { data["none"] = true }
            return WebPage.render("register", data, context: context)
        }
        group.get("/register.csv") { request, _ -> Response in
            let query = ListQuery(request, filters: ["q"])
            let entries = try await store.entries(on: CalendarDate(Date(), in: .europeLondon), search: query["q"])
            return Workspace.csv(
                filename: "charter-register.csv", header: RegisterEntry.columns, rows: entries.map(\.cells))
        }
    }
}
