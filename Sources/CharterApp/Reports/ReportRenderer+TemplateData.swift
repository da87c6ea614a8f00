import CharterDomain

/// What the templates see: each report as Mustache data (string-keyed dictionaries, arrays and
/// strings), with every phrase, count and link already worked out.
///
/// Dictionaries rather than the report structs themselves: swift-mustache reads structs through
/// `Mirror`, which is several times slower per lookup, and the templates would then have to spell
/// out counts and plurals they cannot compute. The keys are the templates' contract with the charter
/// team's overrides; `templates/mail/README.md` lists them.
extension ReportRenderer {
    func employerDigestData(_ digest: EmployerDigest) -> [String: Any] {
        [
            "employer": digest.employerName,
            "employerURL": employerURL(digest.employerID),
            "date": digest.asOf.description,
            "summary": Self.flagSummary(digest.flags, dueReturns: digest.dueReturns.count),
            "summarySentence": Self.summarySentence(digest.flags, dueReturns: digest.dueReturns.count),
            "groups": groups(digest.flags),
            "flagCount": Self.grouped(digest.flags.count),
            "hasDueReturns": !digest.dueReturns.isEmpty,
            "dueReturns": digest.dueReturns.map { due -> [String: Any] in
                ["period": due.period.description, "dueDate": due.dueDate.description, "when": Self.when(due)]
            },
        ]
    }

    func repDigestData(_ digest: RepDigest) -> [String: Any] {
        let flags = digest.employers.flatMap(\.flags)
        let name = Self.singleLine(digest.recipient.name)
        return [
            "repName": name.isEmpty ? digest.recipient.email : name,
            "date": digest.asOf.description,
            "summary": Self.flagSummary(flags, dueReturns: 0),
            "summarySentence": Self.summarySentence(flags, dueReturns: 0),
            "employerCount": Self.count(digest.employers.count, "employer", "employers"),
            "flagCount": Self.grouped(flags.count),
            "employers": digest.employers.map { employer -> [String: Any] in
                [
                    "employer": employer.employerName,
                    "employerURL": employerURL(employer.employerID),
                    "groups": groups(employer.flags),
                ]
            },
        ]
    }

    func reminderData(_ reminder: ReturnReminder) -> [String: Any] {
        let days = reminder.due.daysUntilDue
        return [
            "employer": reminder.employerName,
            "employerURL": employerURL(reminder.employerID),
            "date": reminder.asOf.description,
            "period": reminder.due.period.description,
            "dueDate": reminder.due.dueDate.description,
            "step": reminder.step.rawValue,
            "overdue": days < 0,
            "when": days < 0 ? "is \(Self.when(reminder.due))" : "is due \(Self.when(reminder.due))",
            "whenLong": Self.when(reminder.due),
        ]
    }

    func accreditationReminderData(_ reminder: AccreditationReminder) -> [String: Any] {
        let days = reminder.asOf.days(until: reminder.lapseDate)
        return [
            "employer": reminder.employerName,
            "employerURL": employerURL(reminder.employerID),
            "date": reminder.asOf.description,
            "lapseDate": reminder.lapseDate.description,
            "lastDay": reminder.lapseDate.adding(days: -1).description,
            "daysLeft": days,
            "inDays": days == 1 ? "tomorrow" : "in \(days) days",
            "rung": reminder.rung.rawValue,
        ]
    }

    func applicationData(_ notice: ApplicationNotice) -> [String: Any] {
        var data: [String: Any] = [
            "name": notice.recipient.name, "organisation": notice.organisation,
            "applicationID": notice.applicationID,
            notice.step.rawValue == "more-requested" ? "moreRequested" : notice.step.rawValue: true,
            "applicationURL": publicURL + "/apply/application",
        ]
        if let path = notice.path { data["link"] = publicURL + path }
        if let expires = notice.expires { data["expires"] = expires }
        if let questions = notice.questions { data["questions"] = questions }
        if let reasons = notice.reasons { data["reasons"] = reasons }
        if let decision = notice.decision {
            data["decision"] = decision.rawValue
            data[decision == .declined ? "declined" : "approved"] = true
        }
        return data
    }

    func weeklySummaryData(_ summary: WeeklySummary) -> [String: Any] {
        func counts(_ counts: [WeeklySummary.Count]) -> [[String: Any]] {
            counts.map { ["label": $0.label, "count": Self.grouped($0.count)] }
        }
        var data: [String: Any] = [
            "weekEnding": summary.weekEnding.description,
            "date": summary.weekEnding.description,
            "employersPledged": Self.grouped(summary.employersPledged),
            "returnsReceived": Self.grouped(summary.returnsReceivedThisWeek),
            "flagsOpened": Self.grouped(summary.flagsOpenedThisWeek),
            "flagsCleared": Self.grouped(summary.flagsClearedThisWeek),
            "openFlagsBySeverity": counts(summary.openFlagsBySeverity),
            "flagsByState": counts(summary.flagsByState),
            "missingCount": Self.grouped(summary.missingReturns.count),
            "missingReturns": summary.missingReturns.map { missing -> [String: Any] in
                [
                    "employer": missing.employerName,
                    "employerURL": employerURL(missing.employerID),
                    "period": missing.due.period.description,
                    "dueDate": missing.due.dueDate.description,
                    "when": Self.when(missing.due),
                ]
            },
            "auditChainHead": summary.auditChainHead,
            "auditRows": Self.grouped(summary.auditRows),
        ]
        if let headline = summary.outcomes {
            data["outcomes"] =
                [
                    "period": headline.period, "previousPeriod": headline.previousPeriod ?? "",
                    "hasPrevious": headline.previousPeriod != nil,
                    "outcomesURL": "\(publicURL)/outcomes?period=\(headline.period)",
                    "lines": headline.lines.map { ["label": $0.label, "value": $0.value, "change": $0.change] },
                ] as [String: Any]
        }
        return data
    }

    func flagNoticeData(_ notice: FlagNotice, day: String) -> [String: Any] {
        let verb =
            switch notice.event {
            case .responded: "responded to"
            case .disputed: "disputed"
            case .resolved: "resolved"
            }
        var data: [String: Any] = [
            "flag": flagData(notice.flag),
            "event": notice.event.rawValue,
            "verb": verb,
            "actor": notice.actor,
            "date": day,
        ]
        if let note = notice.note, !note.isEmpty { data["note"] = note }
        return data
    }

    /// One flag: what the `flag.text` and `flag.html` partials show.
    func flagData(_ flag: ReportFlag) -> [String: Any] {
        var data: [String: Any] = [
            "id": String(flag.id),
            "url": "\(publicURL)/flags/\(flag.id)",
            "employer": flag.employerName,
            "employerURL": employerURL(flag.employerID),
            "standard": flag.standardTitle.flatMap { $0.isEmpty ? nil : $0 } ?? flag.standardID,
            "standardID": flag.standardID,
            "period": flag.period.description,
            "severity": flag.severity.rawValue,
            "state": flag.state.rawValue,
            "change": flag.change.rawValue,
            "evidence": flag.evidence,
            "hasEvidence": !flag.evidence.isEmpty,
        ]
        if !flag.subject.isEmpty { data["subject"] = flag.subject }
        return data
    }

    /// The flags under headings, in the order a reader wants them: new, changed, cleared, still open;
    /// empty headings left out.
    func groups(_ flags: [ReportFlag]) -> [[String: Any]] {
        let order: [(ReportFlag.Change, String)] = [
            (.new, "New flags"), (.changed, "Changed flags"), (.cleared, "Cleared flags"), (.unchanged, "Still open"),
        ]
        return order.compactMap { change, title -> [String: Any]? in
            let members = flags.filter { $0.change == change }
            guard !members.isEmpty else { return nil }
            return ["title": title, "count": Self.grouped(members.count), "flags": members.map(flagData)]
        }
    }

    func employerURL(_ id: Int64) -> String { "\(publicURL)/employers/\(id)" }

    /// The subject's phrase: "3 new flags", "1 new flag", "3 new, 1 changed and 2 cleared flags",
    /// "4 open flags" when nothing changed, "1 return due" when there are no flags at all.
    static func flagSummary(_ flags: [ReportFlag], dueReturns: Int) -> String {
        var new = 0
        var changed = 0
        var cleared = 0
        var unchanged = 0
        for flag in flags {
            switch flag.change {
            case .new: new += 1
            case .changed: changed += 1
            case .cleared: cleared += 1
            case .unchanged: unchanged += 1
            }
        }
        let parts = [(new, "new"), (changed, "changed"), (cleared, "cleared")].filter { $0.0 > 0 }
        if parts.isEmpty {
            if unchanged > 0 { return count(unchanged, "open flag", "open flags") }
            if dueReturns > 0 { return count(dueReturns, "return due", "returns due") }
            return "no changes"
        }
        let words = parts.map { "\(grouped($0.0)) \($0.1)" }
        let total = parts.reduce(0) { $0 + $1.0 }
        let list = words.count == 1 ? words[0] : words.dropLast().joined(separator: ", ") + " and " + words.last!
        return list + (total == 1 ? " flag" : " flags")
    }

    /// The first line of a digest's body, e.g. "3 new flags and 2 still open. 1 return falls due."
    static func summarySentence(_ flags: [ReportFlag], dueReturns: Int) -> String {
        let open = flags.filter { $0.change == .unchanged }.count
        var sentence: String
        if flags.isEmpty {
            sentence = "No flags to report."
        } else if flags.count == open {
            sentence = "Nothing changed since the last digest; \(count(open, "flag is", "flags are")) still open."
        } else {
            sentence = "Since the last digest: \(flagSummary(flags, dueReturns: 0))"
            sentence += open > 0 ? "; \(grouped(open)) still open." : "."
        }
        if dueReturns > 0 { sentence += " \(count(dueReturns, "return falls", "returns fall")) due." }
        return sentence
    }

    /// "in 14 days", "tomorrow", "today", "1 day overdue", "14 days overdue".
    static func when(_ due: DueReturn) -> String {
        switch due.daysUntilDue {
        case 0: "today"
        case 1: "tomorrow"
        case let days where days > 1: "in \(grouped(days)) days"
        case let days: "\(count(-days, "day", "days")) overdue"
        }
    }

    /// "1 employer", "2,000 employers".
    static func count(_ number: Int, _ singular: String, _ plural: String) -> String {
        "\(grouped(number)) \(number == 1 ? singular : plural)"
    }

    /// `number` with thousands separated by commas, as British readers write them: "2,000".
    static func grouped(_ number: Int) -> String {
        let digits = String(number.magnitude)
        guard digits.count > 3 else { return number < 0 ? "-" + digits : digits }
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result += "," }
            result.append(digit)
        }
        return number < 0 ? "-" + result : result
    }
}
