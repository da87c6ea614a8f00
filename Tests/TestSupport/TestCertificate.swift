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
        // Made once, in a static's initialiser, which cannot await: the wait blocks this thread, bounded.
        let process = try SpawnedProcess(
            "/usr/bin/env",
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-days", "2",
                "-keyout", key, "-out", certificate,
            ],
            environment: ProcessInfo.processInfo.environment)
        let status = try process.waitBlocking(within: .seconds(60))
        guard status == 0 else {
            throw TestServerError(message: "openssl req exited with \(status):\n\(process.standardError)")
        }
        return TestCertificate(certificatePath: certificate, keyPath: key)
    }
}
