import Foundation
public import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Delivers each message as `<name>.eml` in a directory, for sites whose own MTA picks the files up (SPEC §7).
///
/// A file appears whole or not at all: the message is written to a hidden temporary file in the same directory,
/// flushed to disk, then renamed into place — rename is atomic within one file system, so a pickup job never reads
/// half a message, and after a crash only a `.*.tmp` file can be left, never a short `.eml`. The name comes from
/// ``MailEnvelope/reference`` (the outbox's key), so delivering the same message again replaces its file rather than
/// adding a second copy. The blocking file calls run on NIO's thread pool, not on the cooperative threads.
public struct EMLDirectoryTransport: MailTransporting {
    /// The directory the files go to; created on first use (its parent must exist).
    public let directory: String
    private let threadPool: NIOThreadPool

    public init(directory: String, threadPool: NIOThreadPool = .singleton) {
        self.directory = directory
        self.threadPool = threadPool
    }

    public func send(_ envelope: MailEnvelope, message: [UInt8]) async throws -> SMTPDeliveryReport {
        guard !envelope.recipients.isEmpty else {
            throw MailTransportError(
                code: .invalidEnvelope, failure: .permanent, message: "The envelope has no recipients.")
        }
        let name = Self.fileName(for: envelope.reference ?? UUID().uuidString)
        let directory = self.directory
        try await self.threadPool.runIfActive {
            try Self.writeAtomically(message, directory: directory, name: name)
        }
        return SMTPDeliveryReport(
            recipients: envelope.recipients.map { SMTPRecipientResult(address: $0, outcome: .accepted(nil)) },
            messageReply: nil
        )
    }

    /// `<reference>.eml`, with every byte outside `A–Z a–z 0–9 - _ .` percent-encoded so the reference can never
    /// name another directory or a hidden file.
    static func fileName(for reference: String) -> String {
        var name = ""
        for byte in reference.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                name.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: ".") where !name.isEmpty:
                name.append(".")
            default:
                name += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return name + ".eml"
    }

    private static func writeAtomically(_ message: [UInt8], directory: String, name: String) throws {
        func failure(_ sentence: String) -> MailTransportError {
            let reason = String(cString: strerror(errno))
            return MailTransportError(code: .fileSystem, failure: .transient, message: "\(sentence): \(reason).")
        }
        if mkdir(directory, 0o750) != 0 && errno != EEXIST {
            throw failure("Could not create the mail directory \(directory)")
        }
        let temporaryPath = "\(directory)/.\(name).\(UUID().uuidString).tmp"
        let finalPath = "\(directory)/\(name)"
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else {
            throw failure("Could not create a temporary file in \(directory)")
        }
        var renamed = false
        defer {
            if !renamed { unlink(temporaryPath) }
        }
        do {
            defer { close(descriptor) }
            var written = 0
            while written < message.count {
                let result = message.withUnsafeBytes { bytes in
                    write(descriptor, bytes.baseAddress! + written, bytes.count - written)
                }
                if result < 0 {
                    if errno == EINTR { continue }
                    throw failure("Could not write \(temporaryPath)")
                }
                written += result
            }
            guard fsync(descriptor) == 0 else {
                throw failure("Could not flush \(temporaryPath) to disk")
            }
        }
        guard rename(temporaryPath, finalPath) == 0 else {
            throw failure("Could not move the message into place as \(finalPath)")
        }
        renamed = true
        // Flush the directory too, so the new name survives a power cut.
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        String(repeating: "0", count: max(0, length - self.count)) + self
    }
}
