import MediaStack
import Testing

@Suite("Value types")
struct ValueTypeTests {
    @Test(arguments: [("10m", 600), ("1h", 3600), ("1d", 86400), ("30s", 30)])
    func timeSpansParse(text: String, seconds: Int) throws {
        let span = try #require(TimeSpan(text))
        #expect(span.seconds == seconds && span.description == text)
    }

    @Test(arguments: ["", "10", "m", "10x", "-1m", "0m", "1.5h", "1h30m", "１m"])
    func malformedTimeSpansAreRefused(text: String) {
        #expect(TimeSpan(text) == nil)
    }

    @Test(arguments: ["128m", "64m", "1g", "512k"])
    func sizesParse(text: String) {
        #expect(ByteSize(text)?.description == text)
    }

    @Test(arguments: ["", "128", "128M", "128mb", "0m", "m"])
    func malformedSizesAreRefused(text: String) {
        #expect(ByteSize(text) == nil)
    }

    @Test(arguments: ["30 3 * * *", "*/15 * * * *", "0 4 1-15 * MON-FRI", "0 0,12 * JAN *"])
    func cronSchedulesParse(text: String) {
        #expect(CronSchedule(text)?.description == text)
    }

    @Test(arguments: ["", "30 3 * *", "30 3 * * * *", "60 3 * * *", "30 24 * * *", "* * 0 * *", "*/0 * * * *"])
    func malformedCronSchedulesAreRefused(text: String) {
        #expect(CronSchedule(text) == nil)
    }

    @Test func watchtowerSchedulesHaveSecondsFirst() throws {
        #expect(CronSchedule("0 0 4 * * *", withSeconds: true) != nil)
        #expect(CronSchedule("0 4 * * *", withSeconds: true) == nil)
        do {
            _ = try Settings.parse("WATCHTOWER_SCHEDULE=\"0 99 4 * * *\"", path: ".env")
            Issue.record("an hour of 99 was accepted")
        } catch {
            #expect(error.issues.first?.key == "WATCHTOWER_SCHEDULE")
        }
    }
}
