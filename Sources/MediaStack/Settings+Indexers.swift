extension Settings {
    /// The Newznab indexers `INDEXERS` lists, with their keys; validation has made sure each is complete.
    public var indexers: [NewznabIndexer] { NewznabIndexer.parse(file).indexers }

    /// The keys of the indexers `INDEXERS` lists (`INDEXER_<NAME>_URL`, …), which no definition declares.
    public var indexerKeys: Set<String> {
        let names = (self[SettingKey.indexers.rawValue] ?? "").split(separator: ",").map {
            String($0.trimmingWhitespace())
        }
        return Set(
            names.filter { !$0.isEmpty }.flatMap { name in
                ["URL", "API_KEY", "API_PATH"].map { NewznabIndexer.keyPrefix(name) + $0 }
            })
    }
}
