import CharterDomain
import CharterStore
import Foundation
import NIOCore

extension FlagPage {
    /// The page as the API serves it, written directly (see `JSONWriter`): the flag queue is the
    /// route reps and dashboards poll.
    var json: ByteBuffer {
        var writer = JSONWriter(capacity: 256 + flags.count * 320)
        writer.beginObject()
        writer.key("flags")
        writer.beginArray()
        for flag in flags { flag.write(to: &writer) }
        writer.endArray()
        if let nextCursor {
            writer.key("next_cursor")
            writer.string(nextCursor)
        }
        writer.endObject()
        return writer.buffer
    }
}

extension Flag {
    /// Members in sorted order, as `APIJSON.encoder` writes them.
    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("employer_id")
        writer.int(employerID)
        writer.key("employer_name")
        writer.string(employerName)
        writer.key("id")
        writer.int(id)
        writer.key("opened_at")
        writer.date(openedAt)
        writer.key("period")
        writer.period(period)
        writer.key("severity")
        writer.string(severity.rawValue)
        writer.key("standard_id")
        writer.string(standardID)
        if let standardTitle {
            writer.key("standard_title")
            writer.string(standardTitle)
        }
        writer.key("state")
        writer.string(state.rawValue)
        writer.key("subject")
        writer.string(subject)
        writer.key("updated_at")
        writer.date(updatedAt)
        writer.endObject()
    }
}
