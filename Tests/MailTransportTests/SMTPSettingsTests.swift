import MailTransport
import Testing

@Suite(.timeLimit(.minutes(10))) struct SMTPSettingsTests {
    @Test func smtpMeansSTARTTLSOnPort587ByDefault() throws {
        let settings = try SMTPSettings(url: "smtp://relay.example.org")
        #expect(settings.security == .startTLS)
        #expect(settings.host == "relay.example.org")
        #expect(settings.port == 587)
        #expect(settings.username == nil)
        #expect(settings.password == nil)
    }

    @Test func smtpsMeansImplicitTLSOnPort465ByDefault() throws {
        let settings = try SMTPSettings(url: "smtps://mailer@relay.example.org")
        #expect(settings.security == .implicitTLS)
        #expect(settings.port == 465)
        #expect(settings.username == "mailer")
    }

    @Test func userAndPasswordArePercentDecoded() throws {
        let settings = try SMTPSettings(url: "smtp://us%40er:p%40ss%3Aw%2Frd%25@relay.example.org:2525")
        #expect(settings.username == "us@er")
        #expect(settings.password == "p@ss:w/rd%")
        #expect(settings.port == 2525)
    }

    @Test func aRawAtSignInThePasswordStillParses() throws {
        let settings = try SMTPSettings(url: "smtp://user:p@ss@relay.example.org:587")
        #expect(settings.password == "p@ss")
        #expect(settings.host == "relay.example.org")
    }

    @Test func descriptionNeverShowsThePassword() throws {
        let settings = try SMTPSettings(url: "smtp://user:s3cret-Pa55@relay.example.org:587")
        #expect(settings.description == "smtp://user:***@relay.example.org:587")
        #expect(!"\(settings)".contains("s3cret"))
        #expect(!String(reflecting: settings).contains("s3cret"))
    }

    @Test func starttlsOffIsAllowedForLoopbackRelays() throws {
        for host in ["127.0.0.1", "127.5.6.7", "localhost", "[::1]"] {
            let settings = try SMTPSettings(url: "smtp://\(host):25?starttls=off")
            #expect(settings.security == .none, "\(host)")
            #expect(settings.port == 25)
        }
        #expect(try SMTPSettings(url: "smtp://[::1]:25?starttls=off").host == "::1")
    }

    @Test func starttlsOffIsRefusedForARelayOnTheNetwork() throws {
        for host in ["relay.example.org", "10.0.0.5", "128.0.0.1", "127.0.0.1.example.org"] {
            let error = try #require(throws: MailTransportError.self) {
                try SMTPSettings(url: "smtp://user:secret@\(host):25?starttls=off")
            }
            #expect(error.code == .invalidSettings)
            #expect(error.message.contains("starttls=off is allowed only for a relay on this machine"))
            #expect(!error.description.contains("secret"))
        }
    }

    @Test func starttlsOffMakesNoSenseWithSmtps() throws {
        let error = try #require(throws: MailTransportError.self) {
            try SMTPSettings(url: "smtps://127.0.0.1?starttls=off")
        }
        #expect(error.code == .invalidSettings)
    }

    @Test(arguments: [
        "http://relay.example.org",
        "relay.example.org:587",
        "smtp://",
        "smtp://relay.example.org:0",
        "smtp://relay.example.org:70000",
        "smtp://relay.example.org:smtp",
        "smtp://relay.example.org/inbox",
        "smtp://relay.example.org?tls=maybe",
        "smtp://user:bad%zzescape@relay.example.org",
        "smtp://[::1:25",
    ])
    func malformedURLsAreRefused(url: String) throws {
        let error = try #require(throws: MailTransportError.self) { try SMTPSettings(url: url) }
        #expect(error.code == .invalidSettings)
    }

    @Test func defaultsAreDocumentedValues() throws {
        let settings = try SMTPSettings(url: "smtp://relay.example.org")
        #expect(settings.connectTimeout == .seconds(30))
        #expect(settings.commandTimeout == .seconds(300))
        #expect(settings.dataTimeout == .seconds(600))
        #expect(settings.trustedCertificatePath == nil)
        #expect(settings.ehloName == nil)
    }
}
