public import CharterStore

/// The flag store queues the notices a person's action calls for through the report queue.
extension ReportQueue: FlagNoticeQueuing {}
