import CharterApp
import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// SPEC §10's application in a real browser: `Tests/Browser/apply.py` applies with no account on a demo
/// charterd that writes its mail as `.eml` files, confirms the address through the link in the email,
/// fills in the self-assessment with two evidence files (a renamed program refused first) and sends it;
/// the demo admin reviews and asks for more; the applicant answers through the next email; the admin
/// decides `accredited`; the applicant sets a password from the invitation, signs in and sees the pledge
/// — axe-core on every page. Then the charter team's shell (`charterctl application show`) and the public
/// register say the same.
@Suite("An application to join the charter in a browser", .timeLimit(.minutes(10)))
struct ApplicationWalkTests {
    @Test func anOrganisationAppliesIsAskedForMoreAndIsAccredited() async throws {
        let state = URL(fileURLWithPath: "/tmp/cw-apply-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: state) }
        let (environment, seeded) = try await DemoTests.seed(state)
        let admin = try #require(seeded.signIns.first { $0.role == "admin" })

        let daemon = try DaemonProcess(stateDirectory: state, environment: ["CHARTERD_MAIL_TRANSPORT": "eml"])
        let work = state.appending(path: "walk")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let passed = try await BrowserWalk.run(
            "apply.py", against: daemon, arguments: [state.appending(path: "mail").path, work.path],
            environment: ["CW_EMAIL": admin.email, "CW_PASSWORD": admin.password], artefacts: "apply",
            within: .seconds(300))

        if passed {
            let made =
                try JSONSerialization.jsonObject(with: Data(contentsOf: work.appending(path: "walk.json")))
                as? [String: Any] ?? [:]
            let application = try #require(made["application_id"] as? Int)
            let employer = try #require(made["employer_id"] as? Int)
            let company = try #require(made["company_number"] as? String)

            let shown = try await WorkspacePeopleWalkTests.charterctl(
                ["application", "show", String(application)], environment)
            #expect(shown["status"] as? String == "decided")
            #expect(shown["decision"] as? String == "accredited")
            #expect(shown["employer_id"] as? Int == employer)
            let evidence = shown["evidence"] as? [[String: Any]] ?? []
            #expect(evidence.compactMap { $0["filename"] as? String }.sorted() == ["pay-policy.pdf", "pay-rates.csv"])
            #expect(evidence.allSatisfy { ($0["sha256"] as? String)?.count == 64 })
            let requests = shown["requests"] as? [[String: Any]] ?? []
            #expect(requests.first?["answer"] as? String == "Grade A: 14 workers; grade B: 9 workers.")
            let working = try #require(made["working_towards"] as? String)
            let answers = shown["self_assessment"] as? [[String: Any]] ?? []
            let answer = answers.first { $0["standard_id"] as? String == working }
            #expect(answer?["assessment"] as? String == "working-towards")
            #expect(answer?["target_date"] as? String == "2099-04-01")
            #expect(answer?["review"] as? String == "needs-more")

            let listed = try await WorkspacePeopleWalkTests.charterctlList(
                ["application", "list", "--status", "decided"], environment)
            #expect(listed.map { $0["id"] as? Int } == [application])

            // The public register shows the new signatory, found by its number in any case and spacing.
            let url = try await daemon.listeningURL()
            let spaced = company.lowercased().prefix(2) + " " + company.dropFirst(2)
            let (data, response) = try await URLSession.shared.data(
                from: url.appending(path: "v1/register/\(spaced)"))
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            let entry = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            #expect(entry?["tier"] as? String == "accredited")
            #expect(entry?["name"] as? String == "Mersey Ferries Co-operative")
        }
        #expect(try await daemon.terminate() == 0)
    }
}
