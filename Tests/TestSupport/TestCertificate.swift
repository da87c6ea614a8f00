import Foundation

/// A self-signed certificate for 127.0.0.1 and localhost, made once per test run with openssl.
///
/// The SMTP test server presents it; the client trusts it through ``SMTPSettings/trustedCertificatePath``, the
/// same option an operator uses for a relay with a private CA.
public struct TestCertificate: Sendable {
    public let certificatePath: String
    public let keyPath: String

    public static let shared: TestCertificate = {
        do {
            return try TestCertificate.generate()
        } catch {
            fatalError("Could not generate the test certificate: \(error)")
        }
    }()

    private static func generate() throws -> TestCertificate {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-days", "2",
            "-keyout", key, "-out", certificate,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestServerError(message: "openssl req exited with \(process.terminationStatus)")
        }
        return TestCertificate(certificatePath: certificate, keyPath: key)
    }
}
