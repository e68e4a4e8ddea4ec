import ArgumentParser
import MediaServerCLI

@main
enum EntryPoint {
    static func main() async {
        await MediaServerCommand.main()
    }
}
