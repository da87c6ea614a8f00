import Foundation
import PackagePlugin

/// Embeds text the binaries need at run time into the target as Swift string constants:
/// `sql/migrations/*.sql` into CharterStore; `sql/scheduling/*.sql` (the scheduler's own tables) into Scheduling; `openapi.yaml` (which it serves), the web pages'
/// `templates/web/*.mustache` and the emails' `templates/mail/*.mustache` into CharterApp.
@main
struct EmbedSQLPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        if target.name == "CharterApp" {
            let document = context.package.directoryURL.appending(path: "openapi.yaml")
            let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedOpenAPI.swift")
            let templateDirectory = context.package.directoryURL.appending(path: "templates").appending(path: "web")
            let templates = try FileManager.default.contentsOfDirectory(
                at: templateDirectory, includingPropertiesForKeys: nil
            )
            .filter { $0.pathExtension == "mustache" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
            let templateOutput = context.pluginWorkDirectoryURL.appending(path: "EmbeddedWebTemplates.swift")
            let mailDirectory = context.package.directoryURL.appending(path: "templates").appending(path: "mail")
            let mailTemplates = try FileManager.default.contentsOfDirectory(
                at: mailDirectory, includingPropertiesForKeys: nil
            )
            .filter { $0.pathExtension == "mustache" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
            let mailOutput = context.pluginWorkDirectoryURL.appending(path: "EmbeddedMailTemplates.swift")
            return [
                .buildCommand(
                    displayName: "Embedding \(mailTemplates.count) email templates",
                    executable: try context.tool(named: "sql-embed").url,
                    arguments: ["--mail-templates", mailOutput.path] + mailTemplates.map(\.path),
                    inputFiles: mailTemplates,
                    outputFiles: [mailOutput]
                ),
                .buildCommand(
                    displayName: "Embedding \(templates.count) web page templates",
                    executable: try context.tool(named: "sql-embed").url,
                    arguments: ["--templates", templateOutput.path] + templates.map(\.path),
                    inputFiles: templates,
                    outputFiles: [templateOutput]
                ),
                .buildCommand(
                    displayName: "Embedding openapi.yaml",
                    executable: try context.tool(named: "sql-embed").url,
                    arguments: ["--openapi", output.path, document.path],
                    inputFiles: [document],
                    outputFiles: [output]
                ),
            ]
        }
        let directory = context.package.directoryURL.appending(path: "sql")
            .appending(path: target.name == "Scheduling" ? "scheduling" : "migrations")
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedMigrations.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) SQL migrations",
                executable: try context.tool(named: "sql-embed").url,
                arguments: [output.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]
            )
        ]
    }
}
