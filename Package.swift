// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "mediaserver",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mediaserver", targets: ["mediaserver"]),
        .library(name: "MediaStack", targets: ["MediaStack"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    ],
    targets: [
        // The model and the catalog of services: values only, no I/O.
        .target(name: "MediaStack"),
        // One renderer per output file; YAML/INI emitters.
        // The backup scripts are files under Scripts/backup/, rendered as they are and linted in place by scripts/test.
        .target(
            name: "MediaStackRendering", dependencies: ["MediaStack", .product(name: "Yams", package: "Yams")],
            resources: [.copy("Scripts/backup")]
        ),
        // Checks of the model, the settings and the rendered files.
        .target(
            name: "MediaStackChecks",
            dependencies: ["MediaStack", "MediaStackRendering", .product(name: "Yams", package: "Yams")]
        ),
        // PBKDF2-HMAC-SHA-256 for the password digests seeded into app files. Optimised in debug builds too: a
        // digest takes 600,000 rounds (Tautulli's cost factor), seconds unoptimised, a fraction of one optimised.
        .target(name: "MediaStackDigest", swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // Side effects: processes, files, HTTP probes.
        .target(
            name: "MediaStackOperations",
            dependencies: [
                "MediaStack", "MediaStackRendering", "MediaStackChecks", "MediaStackDigest",
                .product(name: "Subprocess", package: "swift-subprocess"),
                // Merges keys into Bazarr's config.yaml before its first start.
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "MediaServerCLI",
            dependencies: [
                "MediaStack", "MediaStackRendering", "MediaStackChecks", "MediaStackOperations",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "mediaserver",
            dependencies: ["MediaServerCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Benchmarks measured against a baseline in the same run (see docs/benchmarks.md).
        .executableTarget(name: "mediaserver-benchmarks", dependencies: ["MediaStack", "MediaStackOperations"]),
        // What both test targets share: snapshots of a folder tree, and files made unchangeable.
        .target(name: "TestKit", dependencies: ["MediaStackOperations"], path: "Tests/TestKit"),
        .testTarget(
            name: "MediaStackTests",
            dependencies: [
                "MediaStack", "MediaStackRendering", "MediaStackChecks", "MediaStackOperations", "MediaStackDigest",
                "TestKit", .product(name: "Yams", package: "Yams"),
            ],
            exclude: ["Golden", "Fixtures"]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "MediaStack", "MediaStackRendering", "MediaStackChecks", "MediaStackOperations", "TestKit",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
    ]
)

/// Compiler settings for every target, each with its reason (after swift-log's Package.swift).
let swiftSettings: [SwiftSetting] = [
    // SE-0335: an existential is written `any P`, so a protocol-typed value (a `ProcessRunning` runner) never reads
    // as a generic, and its cost is visible where it is declared.
    .enableUpcomingFeature("ExistentialAny"),
    // SE-0444: a file uses only the members of modules it imports itself, so a file's imports say what it depends
    // on, and a dependency dropped elsewhere in the module cannot break it.
    .enableUpcomingFeature("MemberImportVisibility"),
]

for target in package.targets {
    target.swiftSettings = (target.swiftSettings ?? []) + swiftSettings
}
