import CharterAccess
import CharterDomain
import CharterStore
import Foundation
import HTTPTypes
import Hummingbird

extension WebPages {
    /// `/admin/outbox`: the messages by state, a message as it was sent (its headers and MIME parts as
    /// text, never rendered as HTML here), its `.eml`, dead letters with the server's reply, and requeue
    /// (`OutboxStore.requeue`, audited).
    static func registerWorkspaceOpsOutbox(on group: RouterGroup<CharterRequestContext>, services: WorkspaceServices) {
        let store = OutboxStore(pool: services.pool)
        let states = OutboxMessageState.allCases.map { (value: $0.rawValue, label: $0.rawValue) }
        group.get("/admin/outbox") { request, context -> Response in
            _ = try Workspace.require(.readOutbox, context: context)
            let query = ListQuery(request, filters: ["state"])
            let state = query["state"].flatMap(OutboxMessageState.init(rawValue:))
            let messages = try await store.page(state: state, offset: query.offset, limit: ListQuery.pageSize)
            let total = try await store.count(state: state)
            return Workspace.render(
                "workspace-outbox",
                [
                    "messages": messages.map(outboxRow),
                    "paging": query.paging("/admin/outbox", shown: messages.count, total: total),
                    "stateFilter": query.options("state", states), "csv": query.href("/admin/outbox.csv"),
                ], section: "/admin/outbox", change: .requeueMail, context: context)
        }
        group.get("/admin/outbox.csv") { request, context -> Response in
            _ = try Workspace.require(.readOutbox, context: context)
            let query = ListQuery(request, filters: ["state"])
            let state = query["state"].flatMap(OutboxMessageState.init(rawValue:))
            let messages = try await store.page(state: state, offset: 0, limit: 10_000)
            return Workspace.csv(
                filename: "outbox.csv",
                header: [
                    "id", "kind", "recipients", "subject", "state", "attempts", "created_at", "sent_at", "last_error",
                ],
                rows: messages.map { message in
                    [
                        String(message.id), message.kind.rawValue, message.recipients.joined(separator: ", "),
                        message.subject, message.state.rawValue, String(message.attempts), iso(message.createdAt),
                        message.sentAt.map(iso) ?? "", message.lastError ?? "",
                    ]
                })
        }
        group.get("/admin/outbox/:message") { _, context -> Response in
            _ = try Workspace.require(.readOutbox, context: context)
            let id = try CharterAPI.id("message", context)
            guard let summary = try await store.find(id: id), let bytes = try await store.message(id: id) else {
                throw Problem(.notFound, "There is no message \(id) in the outbox.")
            }
            let source = MailSource(bytes)
            var data = outboxRow(summary)
            data["headers"] = source.headers.map { ["name": $0.name, "value": $0.value] }
            if summary.kind.carriesSecret {
                data["secret"] = true
                data["size"] = bytes.count
                return Workspace.render(
                    "workspace-outbox-message", data, section: "/admin/outbox", change: .requeueMail, context: context)
            }
            data["parts"] = source.parts.enumerated().map { index, part in
                var row: [String: Any] = [
                    "number": index + 1, "headers": part.headers.map { ["name": $0.name, "value": $0.value] },
                    "type": part.contentType,
                ]
                if part.contentType.lowercased().hasPrefix("text/html") {
                    row["html"] = true
                }
                row["body"] = part.body
                return row
            }
            data["size"] = bytes.count
            return Workspace.render(
                "workspace-outbox-message", data, section: "/admin/outbox", change: .requeueMail, context: context)
        }
        group.get("/admin/outbox/:message/eml") { _, context -> Response in
            _ = try Workspace.require(.readOutbox, context: context)
            let id = try CharterAPI.id("message", context)
            guard let summary = try await store.find(id: id), let bytes = try await store.message(id: id) else {
                throw Problem(.notFound, "There is no message \(id) in the outbox.")
            }
            if summary.kind.carriesSecret {
                throw Problem(
                    .forbidden,
                    "Message \(id) holds a one-time link to set a password, which only its recipient may read, so it "
                        + "cannot be downloaded. To give the user a new link, reset them on the Users page.")
            }
            var headers = HTTPFields()
            headers[.contentType] = "message/rfc822"
            headers[.contentDisposition] = "attachment; filename=\"message-\(id).eml\""
            headers[.cacheControl] = "no-store"
            headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
            headers[.contentSecurityPolicy] = "default-src 'none'; sandbox"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        group.post("/admin/outbox/:message/requeue") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let principal = try Workspace.require(.requeueMail, context: context)
            let id = try CharterAPI.id("message", context)
            do {
                _ = try await store.requeue(id: id, actor: principal.actor)
            } catch let error as CharterStoreError where error.code == .conflict {
                throw Problem(.conflict, WorkspaceOps.sentence(error))
            } catch let error as CharterStoreError where error.code == .notFound {
                throw Problem(.notFound, "There is no message \(id) in the outbox.")
            }
            return Workspace.redirect(to: "/admin/outbox/\(id)", notice: WorkspaceNotice(.messageRequeued, id))
        }
    }

    static func outboxRow(_ message: OutboxSummary) -> [String: Any] {
        var row: [String: Any] = [
            "id": message.id, "kind": message.kind.rawValue, "recipients": message.recipients.joined(separator: ", "),
            "subject": message.subject, "state": message.state.rawValue, "attempts": message.attempts,
            "created": WebPage.time(message.createdAt), "nextAttempt": WebPage.time(message.nextAttemptAt),
        ]
        row.setIfPresent("lastError", message.lastError)
        row.setIfPresent("sent", message.sentAt.map(WebPage.time))
        if message.state == .dead { row["dead"] = true }
        return row
    }
}

/// A message's source split for reading: its header fields (unfolded) and its MIME parts, each with
/// its own fields and its body as sent (still in its transfer encoding). Nothing is decoded into HTML.
struct MailSource {
    struct Field {
        var name: String
        var value: String
    }

    struct Part {
        var headers: [Field]
        var body: String
        var contentType: String {
            headers.first { $0.name.lowercased() == "content-type" }?.value ?? "text/plain"
        }
    }

    /// The longest body shown of one part; the rest is in the `.eml`.
    static let maximumBodyCharacters = 20_000

    var headers: [Field]
    var parts: [Part]

    init(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        let (headers, body) = Self.split(text)
        self.headers = headers
        parts = []
        collect(headers: headers, body: body, depth: 0)
    }

    private mutating func collect(headers: [Field], body: String, depth: Int) {
        let type = headers.first { $0.name.lowercased() == "content-type" }?.value ?? "text/plain"
        if type.lowercased().hasPrefix("multipart/"), depth < 5, let boundary = Self.boundary(type) {
            let delimiter = "--" + boundary
            var sections = body.components(separatedBy: "\n" + delimiter)
            if body.hasPrefix(delimiter) {
                sections[0] = String(body.dropFirst(delimiter.count))
            } else {
                sections.removeFirst()
            }
            for section in sections where !section.hasPrefix("--") {
                let content = section.hasPrefix("\n") ? String(section.dropFirst()) : section
                let (partHeaders, partBody) = Self.split(content)
                collect(headers: partHeaders, body: partBody, depth: depth + 1)
            }
        } else {
            let shown =
                body.count > Self.maximumBodyCharacters
                ? String(body.prefix(Self.maximumBodyCharacters)) + "\n[… the rest is in the .eml download]" : body
            parts.append(
                Part(
                    headers: depth == 0 ? headers.filter { $0.name.lowercased().hasPrefix("content-") } : headers,
                    body: shown))
        }
    }

    /// The header fields before the first empty line (continuation lines joined), and what follows.
    static func split(_ text: String) -> ([Field], String) {
        let range = text.range(of: "\n\n")
        let head = range.map { String(text[..<$0.lowerBound]) } ?? text
        let body = range.map { String(text[$0.upperBound...]) } ?? ""
        var fields: [Field] = []
        for line in head.split(separator: "\n", omittingEmptySubsequences: false) {
            if let first = line.first, first == " " || first == "\t", !fields.isEmpty {
                fields[fields.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
            } else if let colon = line.firstIndex(of: ":") {
                fields.append(
                    Field(
                        name: String(line[..<colon]),
                        value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
        }
        return (fields, body)
    }

    /// The `boundary` parameter of a multipart content type.
    static func boundary(_ type: String) -> String? {
        guard let range = type.range(of: "boundary=", options: .caseInsensitive) else { return nil }
        var value = type[range.upperBound...]
        if value.hasPrefix("\"") {
            value = value.dropFirst()
            return value.firstIndex(of: "\"").map { String(value[..<$0]) }
        }
        return String(value.prefix { $0 != ";" && $0 != " " })
    }
}
