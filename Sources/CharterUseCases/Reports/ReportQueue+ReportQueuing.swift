public import CharterStore

/// The stores queue the messages their changes call for (an invitation) through this.
extension ReportQueue: ReportQueuing {}
