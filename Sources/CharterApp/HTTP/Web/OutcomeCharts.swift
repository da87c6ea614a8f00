import CharterDomain
import Foundation

/// The outcome charts as server-rendered SVG (SPEC §11): trend lines over the periods and bars by
/// sector and by tier. Each chart is an `<svg role="img">` with a `<title>` and a `<desc>`, drawn with
/// a `viewBox` so it scales with the page at any zoom, and tells its series apart by line pattern and
/// marker shape as well as colour, so it reads in black-and-white print. The page puts the data table
/// and a text summary beside each one; the chart adds nothing they do not say.
enum OutcomeCharts {
    /// The shares charted, each with its colour and dash pattern.
    static let series: [(figure: OutcomeFigure, colour: String, dash: String, short: String)] = [
        (.belowRLWShare, "#12355b", "", "Below RLW"),
        (.insecureShare, "#b00020", "8 4", "Insecure"),
        (.zeroHoursShare, "#00703c", "2 3", "Zero-hours"),
        (.lowHoursShare, "#5a2d82", "10 3 2 3", "Under 16 hours"),
    ]

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    static func percent(_ value: Decimal?) -> Double? {
        value.map { NSDecimalNumber(decimal: $0 * 100).doubleValue }
    }

    /// The largest share shown, rounded up to a whole 10 %, so small shares are not flattened.
    static func scaleTop(_ values: [Double]) -> Double {
        let top = values.max() ?? 0
        return max(10, min(100, (top / 10).rounded(.up) * 10))
    }

    /// Trend lines of the four shares over `trend`'s periods; a withheld or missing value breaks its line.
    static func trend(_ trend: [RegionalOutcomes], id: String) -> String {
        let width = 640.0
        let height = 300.0
        let left = 48.0
        let right = 130.0
        let top = 16.0
        let bottom = 40.0
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let all = trend.flatMap { item in series.compactMap { percent(item.region[$0.figure]) } }
        let yTop = scaleTop(all)
        let step = trend.count > 1 ? plotWidth / Double(trend.count - 1) : 0
        func x(_ index: Int) -> Double { left + (trend.count > 1 ? step * Double(index) : plotWidth / 2) }
        func y(_ value: Double) -> Double { top + plotHeight * (1 - value / yTop) }

        var svg = """
            <svg role="img" aria-labelledby="\(id)-title \(id)-desc" viewBox="0 0 \(Int(width)) \(Int(height))" \
            width="100%" preserveAspectRatio="xMinYMin meet" class="chart" focusable="false">
            <title id="\(id)-title">Shares of workers over the last \(trend.count) period\(trend.count == 1 ? "" : "s")</title>
            <desc id="\(id)-desc">Line chart of the share paid below the Real Living Wage, in insecure work, \
            on zero-hours contracts and contracted under 16 hours, by period. The table below gives every value.</desc>

            """
        for tick in stride(from: 0.0, through: yTop, by: yTop / 5) {
            svg += """
                <line x1="\(number(left))" x2="\(number(left + plotWidth))" y1="\(number(y(tick)))" \
                y2="\(number(y(tick)))" stroke="#bbb" stroke-width="1"/>
                <text x="\(number(left - 6))" y="\(number(y(tick) + 4))" text-anchor="end" font-size="12" \
                fill="#1b1b1b">\(Int(tick))%</text>

                """
        }
        for (index, item) in trend.enumerated() {
            svg += """
                <text x="\(number(x(index)))" y="\(number(height - bottom + 18))" text-anchor="middle" font-size="12" \
                fill="#1b1b1b">\(item.period)</text>

                """
        }
        var labels: [(y: Double, text: String)] = []
        for (number_, line) in series.enumerated() {
            var segments: [[(Double, Double)]] = [[]]
            for (index, item) in trend.enumerated() {
                if let value = percent(item.region[line.figure]) {
                    segments[segments.count - 1].append((x(index), y(value)))
                } else if !segments[segments.count - 1].isEmpty {
                    segments.append([])
                }
            }
            for segment in segments where segment.count > 1 {
                let points = segment.map { "\(number($0.0)),\(number($0.1))" }.joined(separator: " ")
                svg += """
                    <polyline points="\(points)" fill="none" stroke="\(line.colour)" stroke-width="2.5" \
                    stroke-dasharray="\(line.dash)"/>

                    """
            }
            for point in segments.flatMap({ $0 }) {
                svg += marker(number_, x: point.0, y: point.1, colour: line.colour)
            }
            if let last = segments.last(where: { !$0.isEmpty })?.last { labels.append((last.1 + 4, line.short)) }
        }
        // Lines that end together would write their names over each other: keep 14 units between them.
        labels.sort { $0.y < $1.y }
        for index in labels.indices.dropFirst() where labels[index].y < labels[index - 1].y + 14 {
            labels[index].y = labels[index - 1].y + 14
        }
        for label in labels {
            svg += """
                <text x="\(number(left + plotWidth + 8))" y="\(number(label.y))" font-size="12" \
                fill="#1b1b1b">\(escape(label.text))</text>

                """
        }
        return svg + "</svg>"
    }

    /// A marker whose shape tells the series apart without colour: circle, square, triangle, diamond.
    static func marker(_ index: Int, x: Double, y: Double, colour: String) -> String {
        switch index % 4 {
        case 0:
            return "<circle cx=\"\(number(x))\" cy=\"\(number(y))\" r=\"4\" fill=\"\(colour)\"/>\n"
        case 1:
            return "<rect x=\"\(number(x - 4))\" y=\"\(number(y - 4))\" width=\"8\" height=\"8\" fill=\"\(colour)\"/>\n"
        case 2:
            return "<polygon points=\"\(number(x)),\(number(y - 5)) \(number(x + 5)),\(number(y + 4)) "
                + "\(number(x - 5)),\(number(y + 4))\" fill=\"\(colour)\"/>\n"
        default:
            return "<polygon points=\"\(number(x)),\(number(y - 5)) \(number(x + 5)),\(number(y)) "
                + "\(number(x)),\(number(y + 5)) \(number(x - 5)),\(number(y))\" fill=\"\(colour)\"/>\n"
        }
    }

    /// Horizontal bars of the four shares for each group of a breakdown; a withheld share is written
    /// "withheld" where its bar would be.
    static func bars(_ groups: [OutcomeGroup], breakdown: OutcomeBreakdown, id: String) -> String {
        let rowHeight = 18.0
        let groupGap = 14.0
        let left = 150.0
        let plotWidth = 400.0
        let width = left + plotWidth + 70
        let values = groups.flatMap { group in series.compactMap { percent(group[$0.figure]) } }
        let xTop = scaleTop(values)
        let height = 24 + Double(groups.count) * (Double(series.count + 1) * rowHeight + groupGap)
        var svg = """
            <svg role="img" aria-labelledby="\(id)-title \(id)-desc" viewBox="0 0 \(Int(width)) \(Int(height))" \
            width="100%" preserveAspectRatio="xMinYMin meet" class="chart" focusable="false">
            <title id="\(id)-title">Shares of workers by \(breakdown.rawValue)</title>
            <desc id="\(id)-desc">Bar chart of the share paid below the Real Living Wage, in insecure work, on \
            zero-hours contracts and contracted under 16 hours, for each \(breakdown.rawValue). The table below \
            gives every value.</desc>

            """
        var y = 8.0
        for group in groups {
            svg += """
                <text x="0" y="\(number(y + 13))" font-size="13" font-weight="700" fill="#1b1b1b">\
                \(escape(groupLabel(group.name)))</text>

                """
            for (index, line) in series.enumerated() {
                let rowY = y + Double(index + 1) * rowHeight
                svg += """
                    <text x="\(number(left - 6))" y="\(number(rowY + 13))" text-anchor="end" font-size="11" \
                    fill="#1b1b1b">\(escape(line.short))</text>

                    """
                if let value = percent(group[line.figure]) {
                    let barWidth = max(1, plotWidth * value / xTop)
                    svg += """
                        <rect x="\(number(left))" y="\(number(rowY + 3))" width="\(number(barWidth))" height="12" \
                        fill="\(line.colour)" stroke="#1b1b1b" stroke-width="0.5"/>
                        <text x="\(number(left + barWidth + 4))" y="\(number(rowY + 13))" font-size="11" \
                        fill="#1b1b1b">\(escape(line.figure.pageText(group[line.figure])))</text>

                        """
                } else {
                    svg += """
                        <text x="\(number(left + 2))" y="\(number(rowY + 13))" font-size="11" font-style="italic" \
                        fill="#1b1b1b">\(group.withheld.contains(line.figure) ? "withheld" : "no data")</text>

                        """
                }
            }
            y += Double(series.count + 1) * rowHeight + groupGap
        }
        return svg + "</svg>"
    }

    /// A group's name as the page writes it.
    static func groupLabel(_ name: String) -> String {
        switch name {
        case "region": return "The region"
        case RegionalOutcomes.noTier: return "No pledge in force"
        default: return name.prefix(1).uppercased() + name.dropFirst()
        }
    }
}
