import ArgumentParser
import CharterStore
import Foundation

/// `--state`: one of the outbox states, refused as a usage error otherwise.
func parseOutboxState(_ text: String?) throws -> OutboxMessageState? {
    guard let text else { return nil }
    guard let state = OutboxMessageState(rawValue: text) else {
        let names = OutboxMessageState.allCases.map(\.rawValue).joined(separator: ", ")
        throw ValidationError("--state \(text) is not a state; they are \(names)")
    }
    return state
}

struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox", abstract: "The email outbox: what is queued, sent or dead; requeue; export as .eml.",
        subcommands: [List.self, Requeue.self, Export.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List outbox messages, newest first.")

        @Option(help: "Only messages in this state: queued, sending, sent or dead.") var state: String?
        @Option(help: "At most this many.") var limit = 100
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func validate() throws {
            guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be 1 to 10000") }
            _ = try parseOutboxState(state)
        }

        func run() async throws {
            let (state, limit) = (try parseOutboxState(state), limit)
            let messages = try await withPool { try await OutboxStore(pool: $0).list(state: state, limit: limit) }
            switch format {
            case .json: try printJSON(messages)
            case .text:
                for m in messages {
                    let detail = m.lastError.map { "\t\($0)" } ?? ""
                    print(
                        "\(m.id)\t\(m.state.rawValue)\t\(m.kind.rawValue)\t\(m.recipients.joined(separator: ","))"
                            + "\tattempts \(m.attempts)\t\(m.subject)\(detail)")
                }
                print("\(messages.count) message\(messages.count == 1 ? "" : "s")")
            }
        }
    }

    struct Requeue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue a dead message again (attempts start afresh; audited).")

        @Argument(help: "The message's id.") var id: Int64
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let id = id
            let message = try await withPool { try await OutboxStore(pool: $0).requeue(id: id, actor: commandActor) }
            switch format {
            case .json: try printJSON(message)
            case .text: print("Requeued outbox message \(id); a delivery worker sends it next.")
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write outbox messages as DIR/<id>.eml, for sites that hand mail to their own MTA.")

        @Option(help: "The directory to write to (created if missing).") var dir: String
        @Option(help: "Only messages in this state: queued, sending, sent or dead.") var state: String?
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        struct Report: Encodable {
            var directory: String
            var written: [Int64]
        }

        func validate() throws {
            _ = try parseOutboxState(state)
        }

        func run() async throws {
            let directory = URL(filePath: dir, directoryHint: .isDirectory)
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw CommandFailed(description: "cannot create \(dir): \(error.localizedDescription)")
            }
            let state = try parseOutboxState(state)
            let written = try await withPool { pool in
                let store = OutboxStore(pool: pool)
                var written: [Int64] = []
                var after: Int64 = 0
                while true {
                    let page = try await store.messages(state: state, afterID: after)
                    guard let last = page.last else { break }
                    for (id, message) in page {
                        // Written whole under a temporary name, then renamed: an MTA picking files up
                        // never sees half a message.
                        let target = directory.appending(path: "\(id).eml")
                        do {
                            try Data(message).write(to: target, options: .atomic)
                        } catch {
                            throw CommandFailed(
                                description: "cannot write \(target.path): \(error.localizedDescription)")
                        }
                        written.append(id)
                    }
                    after = last.id
                }
                return written
            }
            switch format {
            case .json: try printJSON(Report(directory: directory.path, written: written))
            case .text: print("Wrote \(written.count) message\(written.count == 1 ? "" : "s") to \(directory.path)")
            }
        }
    }
}
