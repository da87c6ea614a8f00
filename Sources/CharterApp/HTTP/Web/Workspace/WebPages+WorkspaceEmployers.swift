import CharterAccess
import CharterDomain
import CharterStore
import Foundation
import HTTPTypes
import Hummingbird
import PGClient

extension WebPages {
    /// The employers section of the workspace: the list (search, filters, paging, CSV), registering an
    /// employer, and the GPG import by upload with its preview and confirm step. One employer's page is
    /// `registerWorkspaceEmployer`.
    static func registerWorkspaceEmployers(on group: RouterGroup<CharterRequestContext>, services: WorkspaceServices) {
        let pool = services.pool
        group.get("/admin/employers") { request, context -> Response in
            _ = try Workspace.require(.readEmployers, context: context)
            return try await employersPage(request, context: context, pool: pool)
        }
        group.get("/admin/employers.csv") { request, context -> Response in
            _ = try Workspace.require(.readEmployers, context: context)
            let query = ListQuery(request, filters: employerFilterNames)
            let (rows, _) = try await EmployerStore(pool: pool).page(
                try employerFilter(query), offset: 0, limit: 1_000_000)
            return Workspace.csv(
                filename: "employers.csv",
                header: [
                    "id", "name", "company_number", "sector", "london_workplaces", "pledge_in_force", "living_hours",
                ],
                rows: rows.map { row in
                    [
                        String(row.employer.id ?? 0), row.employer.name, row.employer.companyNumber?.value ?? "",
                        row.employer.sector.rawValue, row.employer.hasLondonWorkplaces ? "yes" : "no", row.tier ?? "",
                        row.tier == nil ? "" : (row.livingHours ? "yes" : "no"),
                    ]
                })
        }
        group.post("/admin/employers") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let principal = try Workspace.require(.writeEmployers, context: context)
            var errors = FormErrors()
            let details = readEmployerDetails(form, errors: &errors)
            if errors.isEmpty, let details {
                do {
                    let stored = try await EmployerStore(pool: pool).add(
                        Employer(
                            name: details.name, companyNumber: details.companyNumber, sector: details.sector,
                            hasLondonWorkplaces: details.london), actor: principal.actor)
                    let id = stored.id ?? 0
                    return Workspace.redirect(
                        to: "/admin/employers/\(id)", notice: WorkspaceNotice(.employerRegistered, id))
                } catch let error as CharterStoreError where error.code == .conflict {
                    errors.add("company_number", sentence(error.message))
                } catch let error as CharterDomainError {
                    errors.add(error.field == "name" ? "name" : "company_number", sentence(error.message))
                }
            }
            return try await employersPage(request, context: context, pool: pool, form: form, errors: errors)
        }
        group.post("/admin/gpg-import") { request, context -> Response in
            try await gpgUpload(request, context: context, pool: pool)
        }
        group.post("/admin/gpg-import/confirm") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let principal = try Workspace.require(.writeEmployers, context: context)
            guard let id = form["upload"] else {
                throw Problem(.badRequest, "The form does not say which upload to import.")
            }
            let employers = EmployerStore(pool: pool)
            let summary = try await pool.withTransaction { connection -> EmployerImportSummary? in
                guard
                    let upload = try await WorkspaceUploadStore.take(
                        id: id, kind: .gpgImport, owner: principal.actor, on: connection)
                else { return nil }
                let batch = GPGImportReader.read(upload.content).employers.map(Employer.init(gpg:))
                return try await employers.upsert(
                    batch, actor: principal.actor, source: "upload \(upload.filename)", on: connection)
            }
            guard let summary else {
                throw Problem(
                    .notFound,
                    "That upload is no longer waiting: it was imported already, or it expired an hour after it was"
                        + " uploaded. Upload the file again to see its preview.")
            }
            return Workspace.redirect(
                to: "/admin/employers",
                notice: WorkspaceNotice(
                    .gpgImported, Int64(summary.inserted), Int64(summary.updated), Int64(summary.unchanged)))
        }
        registerWorkspaceEmployer(on: group, services: services)
    }

    static let employerFilterNames = ["q", "sector", "pledge"]

    /// The list's filters from `query`; a value that is no sector or tier is a 400 with a sentence.
    static func employerFilter(_ query: ListQuery) throws -> EmployerFilter {
        var filter = EmployerFilter(search: query["q"], asOf: WorkspaceOps.today)
        if let sector = query["sector"] {
            guard let value = Sector(rawValue: sector) else {
                throw Problem(.badRequest, "The sector filter must be private, public or voluntary.")
            }
            filter.sector = value
        }
        if let pledge = query["pledge"] {
            guard let value = EmployerFilter.PledgeInForce(rawValue: pledge) else {
                throw Problem(.badRequest, "The pledge filter must be aspiring, accredited or none.")
            }
            filter.pledge = value
        }
        return filter
    }

    /// The list, with the register form (and, after a refused registration, its errors and values).
    static func employersPage(
        _ request: Request, context: CharterRequestContext, pool: PGPool, form: WebForm? = nil,
        errors: FormErrors = FormErrors(), importError: String? = nil
    ) async throws -> Response {
        let query = ListQuery(request, filters: employerFilterNames)
        let (rows, total) = try await EmployerStore(pool: pool).page(
            try employerFilter(query), offset: query.offset, limit: ListQuery.pageSize)
        var data: [String: Any] = [
            "employers": rows.map { row -> [String: Any] in
                let id = row.employer.id ?? 0
                return
                    ([
                        "id": id, "href": "/admin/employers/\(id)", "name": row.employer.name,
                        "sector": row.employer.sector.rawValue,
                        "london": row.employer.hasLondonWorkplaces ? "yes" : "no",
                        "pledge": row.tier.map { $0 + (row.livingHours ? " + living hours" : "") } ?? "none in force",
                    ] as [String: Any]).with("companyNumber", row.employer.companyNumber?.value)
            },
            "paging": query.paging("/admin/employers", shown: rows.count, total: total),
            "filters": query.values,
            "sectors": query.options("sector", Sector.allCases.map { ($0.rawValue, $0.rawValue) }),
            "pledges": query.options(
                "pledge", [("aspiring", "aspiring"), ("accredited", "accredited"), ("none", "none in force")]),
            "csvHref": query.href("/admin/employers.csv"),
            "registerSectors": Sector.allCases.map { sector -> [String: Any] in
                ["value": sector.rawValue, "selected": (form?["sector"] ?? "private") == sector.rawValue]
            },
        ]
        if let form { data["values"] = form.fields }
        data.merge(errors.templateData) { _, new in new }
        if let importError {
            var importErrors = FormErrors()
            importErrors.add("file", importError)
            data.merge(importErrors.templateData) { _, new in new }
        }
        let refused = !errors.isEmpty || importError != nil
        return Workspace.render(
            "workspace-employers", data, section: "/admin/employers", change: .writeEmployers, context: context,
            status: refused ? .unprocessableContent : .ok)
    }

    /// An employer's details as typed in the register and edit forms.
    struct EmployerDetails {
        var name: String
        var companyNumber: CompanyNumber?
        var sector: Sector
        var london: Bool
    }

    /// The details from `form`, or nil with `errors` saying what is wrong with each field.
    static func readEmployerDetails(_ form: WebForm, errors: inout FormErrors) -> EmployerDetails? {
        let name = form["name"]
        if name == nil { errors.add("name", "Enter the employer's name.") }
        var number: CompanyNumber?
        if let text = form["company_number"] {
            number = CompanyNumber(text)
            if number == nil {
                errors.add(
                    "company_number",
                    "The company number \"\(text.excerpt())\" is not a Companies House number: 8 digits, or 2 letters"
                        + " and 6 digits, e.g. SC016876. Leave it blank for a public body without one.")
            }
        }
        let sector = form["sector"].flatMap(Sector.init(rawValue:))
        if sector == nil { errors.add("sector", "Choose the sector: private, public or voluntary.") }
        guard let name, let sector, errors.isEmpty else { return nil }
        return EmployerDetails(name: name, companyNumber: number, sector: sector, london: form["london"] == "yes")
    }

    /// The upload form's file, previewed: what the import would add, update and leave alone, and the rows
    /// it would skip with their lines. The file waits server-side for the confirm step.
    static func gpgUpload(_ request: Request, context: CharterRequestContext, pool: PGPool) async throws -> Response {
        let type = request.headers[.contentType] ?? ""
        guard let boundary = MultipartParser.boundary(fromContentType: type) else {
            throw Problem(.unsupportedMediaType, "The import form is sent as multipart/form-data.")
        }
        let reader = MultipartBodyReader(body: request.body, boundary: boundary, maximumBytes: gpgUploadLimit + 65_536)
        var csrf: String?
        var file: (name: String, bytes: [UInt8])?
        while let event = try await reader.nextEvent() {
            guard case .partBegin(let part) = event else { continue }
            switch part.name {
            case "csrf_token":
                csrf = String(decoding: try await reader.collectPart(named: "csrf_token", limit: 256), as: UTF8.self)
            case "file":
                try WebForm.requireCSRF(csrf, context: context)
                _ = try Workspace.require(.writeEmployers, context: context)
                let bytes = try await reader.collectPart(named: "file", limit: gpgUploadLimit)
                file = (part.filename ?? "upload.csv", bytes)
            default:
                throw Problem(.badRequest, "The import form has no field named \(part.name.excerpt()).")
            }
        }
        try WebForm.requireCSRF(csrf, context: context)
        let principal = try Workspace.require(.writeEmployers, context: context)
        guard let file, !file.bytes.isEmpty else {
            return try await employersPage(
                request, context: context, pool: pool,
                importError: "Choose the Gender Pay Gap CSV file to import; the form had no file, or an empty one.")
        }
        let (rows, report) = GPGImportReader.read(file.bytes)
        let batch = rows.map(Employer.init(gpg:))
        let preview: (summary: EmployerImportSummary, outcomes: [EmployerImportOutcome])
        do {
            preview = try await EmployerStore(pool: pool).previewUpsert(batch)
        } catch let error as CharterDomainError {
            return try await employersPage(
                request, context: context, pool: pool,
                importError: "The file cannot be imported: \(error.message). Nothing was stored.")
        }
        let upload = try await WorkspaceUploadStore(pool: pool).keep(
            kind: .gpgImport, filename: String(file.name.prefix(200)), content: file.bytes, owner: principal.actor)
        func listed(_ outcome: EmployerImportOutcome) -> [[String: Any]] {
            zip(rows, preview.outcomes).filter { $0.1 == outcome }.prefix(200).map { row, _ in
                (["line": row.line, "name": row.name] as [String: Any]).with("companyNumber", row.companyNumber?.value)
            }
        }
        let summary = preview.summary
        let data: [String: Any] = [
            "filename": file.name, "upload": upload.id, "expires": WebPage.time(upload.expiresAt),
            "added": summary.inserted, "updated": summary.updated, "unchanged": summary.unchanged,
            "skipped": report.totalErrors,
            "addedRows": listed(.added), "updatedRows": listed(.updated),
            "hasAdded": summary.inserted > 0, "hasUpdated": summary.updated > 0,
            "rowErrors": report.errors.map {
                ["line": $0.line.map(String.init) ?? "", "column": $0.column ?? "", "message": $0.message]
            },
            "hasRowErrors": !report.errors.isEmpty,
            "warnings": report.warnings.map {
                ["line": $0.line.map(String.init) ?? "", "column": $0.column ?? "", "message": $0.message]
            },
            "hasWarnings": !report.warnings.isEmpty,
            "canImport": summary.inserted + summary.updated > 0,
        ]
        return Workspace.render(
            "workspace-gpg-preview", data, section: "/admin/employers", change: .writeEmployers, context: context)
    }

    /// The largest GPG file the upload takes: the whole national download is about 12 MiB.
    static let gpgUploadLimit = 32 << 20

    /// A store's or domain's message as a sentence for a page: capital first letter, full stop.
    static func sentence(_ message: String) -> String { message.asSentence }
}
