import Foundation
import MailTransport
import Testing

@Suite(.timeLimit(.minutes(10))) struct EMLDirectoryTransportTests {
    private func makeDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("eml-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func eachMessageAppearsCompleteWithNoTemporaryFilesLeft() async throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let transport = EMLDirectoryTransport(directory: directory.appendingPathComponent("outbox").path)
        let first = Array("Subject: one\r\n\r\nbody one\r\n".utf8)
        let second = Array(String(repeating: "Line of a larger message\r\n", count: 40_000).utf8)

        let report = try await transport.send(
            MailEnvelope(from: "charter@localhost", recipients: ["a@x.test", "b@x.test"], reference: "digest-1"),
            message: first
        )
        _ = try await transport.send(
            MailEnvelope(from: "charter@localhost", recipients: ["a@x.test"], reference: "digest-2"),
            message: second
        )

        #expect(report.accepted == ["a@x.test", "b@x.test"])
        let names = try FileManager.default.contentsOfDirectory(atPath: transport.directory).sorted()
        #expect(names == ["digest-1.eml", "digest-2.eml"])
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: "\(transport.directory)/digest-1.eml"))) == first)
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: "\(transport.directory)/digest-2.eml"))) == second)
    }

    @Test func sendingTheSameMessageAgainReplacesItsFile() async throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let transport = EMLDirectoryTransport(directory: directory.path)
        let envelope = MailEnvelope(from: "charter@localhost", recipients: ["a@x.test"], reference: "reminder/7")
        _ = try await transport.send(envelope, message: Array("first try\r\n".utf8))
        _ = try await transport.send(envelope, message: Array("second try\r\n".utf8))
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(names == ["reminder%2F7.eml"], "the reference cannot name another directory")
        let text = try String(contentsOfFile: "\(directory.path)/reminder%2F7.eml", encoding: .utf8)
        #expect(text == "second try\r\n")
    }

    @Test func aMessageWithoutAReferenceGetsAFreshName() async throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let transport = EMLDirectoryTransport(directory: directory.path)
        let envelope = MailEnvelope(from: "charter@localhost", recipients: ["a@x.test"])
        _ = try await transport.send(envelope, message: Array("one\r\n".utf8))
        _ = try await transport.send(envelope, message: Array("two\r\n".utf8))
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(names.count == 2)
        #expect(names.allSatisfy { $0.hasSuffix(".eml") && !$0.hasPrefix(".") })
    }

    @Test func anUnwritableDirectoryIsATransientFileSystemError() async throws {
        let transport = EMLDirectoryTransport(directory: "/proc/charterwatch-cannot-exist")
        let error = try await #require(throws: MailTransportError.self) {
            try await transport.send(
                MailEnvelope(from: "charter@localhost", recipients: ["a@x.test"]),
                message: Array("x\r\n".utf8)
            )
        }
        #expect(error.code == .fileSystem)
        #expect(error.failure == .transient)
    }
}
