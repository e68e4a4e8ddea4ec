import Foundation

/// What the commands read from the text borgmatic and borg print.
public enum BorgmaticOutput {
    /// The name of the archive a `borgmatic --stats` run created, or nil when the output names none.
    ///
    /// With `--stats`, `borg create` prints the archive's summary, one line of which is `Archive name: <name>`
    /// (borgbackup/borg src/borg/archive.py, `Archive.__str__`); borgmatic passes it on, possibly after a prefix
    /// of its own (the repository's label), on stderr or stdout.
    public static func archiveName(in output: ProcessOutput) -> String? {
        let marker = "Archive name:"
        return (output.standardError + output.standardOutput).split(separator: "\n").first { $0.contains(marker) }
            .map { $0.components(separatedBy: marker).last?.trimmingCharacters(in: .whitespaces) ?? "" }
    }
}
