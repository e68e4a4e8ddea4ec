import MediaStack

extension Fail2banFilter {
    /// The filter file's text after the generated-by header: static, verified with `fail2ban-regex` against the
    /// sample logs in Tests/Fixtures/fail2ban (each sample line names its source).
    public var definition: String {
        switch self {
        case .jellyfin:
            #"""
            # Fail2Ban filter for Jellyfin (10.5 .. 10.11.x) failed logins.
            #
            # Source of the messages (all LogInformation, i.e. level [INF]):
            #   jellyfin/jellyfin Jellyfin.Server.Implementations/Users/UserManager.cs (10.6+),
            #   Emby.Server.Implementations/Library/UserManager.cs (10.5, PR #2746):
            #     "Authentication request for {UserName} has been denied (IP: {IP})."
            #     "Authentication request for {UserName} has been denied because this account is currently disabled (IP: {IP})."
            #     "Authentication request without username has been denied (IP: {IP})."
            #   Jellyfin.Api (Authenticate ... with data) variant: "Authentication request with data {Data} has been denied (IP: {IP})."
            # File sink template (logging.default.json):
            #   [{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz}] [{Level:u3}] [{ThreadId}] {SourceContext}: {Message}{NewLine}{Exception}
            #   {Message} renders string values quoted ("alice", "203.0.113.50"); older defaults used "{ThreadId} {SourceContext}:{Message} "
            #   or no ThreadId/SourceContext at all, and {Message:lj} (console, custom configs) renders them unquoted.
            # Requires the Jellyfin log level to be Information or lower for the auth categories (the default).
            # Lines that must NOT ban: "... has succeeded.", "... forbidden: remote access disabled ..." (may be a correct password),
            # "... is not allowed at this time due parental restrictions ...".
            # The line is anchored at its end, so a user name that itself contains "(IP: x)" cannot smuggle in a foreign address:
            # the address that counts is always the last one on the line (the one Jellyfin appends).

            [INCLUDES]
            before = common.conf

            [Definition]
            _jf_prefix = ^\s*\[INF\] (?:\[?\d+\]? )?(?:[\w.`]+: ?)?
            failregex = %(_jf_prefix)sAuthentication request (?:for .+?|with data .+?|without username) has been denied(?: because this account is currently disabled)? \(IP: "?<ADDR>"?\)\.\s*$

            ignoreregex =

            # Explicit date pattern: "[2026-01-17 11:30:21.496 -06:00] " (the offset is honoured).
            datepattern = ^\[%%Y-%%m-%%d %%H:%%M:%%S(?:\.%%f)? ?%%z\]
            """#
        case .plex:
            #"""
            # Fail2Ban filter for Plex Media Server - CANDIDATE, not an official filter.
            #
            # Plex sign-in happens at plex.tv, so PMS never logs a password failure. This filter counts HTTP 401 responses
            # that PMS logs in its request trace ("Completed:" lines). Those are DEBUG lines: "Enable Plex Media Server debug
            # logging" must stay on (it is on by default), verbose logging is not needed.
            # Legitimate clients with expired/invalid tokens, and the web app's first unauthenticated GET /, also produce 401s,
            # so the jail must use a high maxretry and ignoreip for the LAN.
            # Line shapes seen in public logs:
            #   Oct 28, 2018 14:44:17.423 [0x7fa0f0bff700] DEBUG - Completed: [192.168.0.25:60953] 401 GET / (6 live) GZIP 0ms 416 bytes (pipelined: 8)
            #   Aug 04, 2026 06:58:52.965 [132688110742328] DEBUG - Completed: [192.168.1.111:55824] 200 GET /library/... (3 live) #57d3a ...
            #   Sep 28, 2020 14:52:46.901 [4664] Debug — Completed: [[::1]:13253] 401 GET /playlists (10 live) GZIP 0ms 357 bytes
            # Thread id is hex ("0x...") on old builds and decimal on current ones; IPv6 peers are written "[[addr]:port]".
            # Current builds tag some lines "[Req#id]"; an optional tag before "Completed:" is accepted.

            [INCLUDES]
            before = common.conf

            [Definition]
            failregex = ^\s*\[(?:0x)?[0-9a-fA-F]+\] (?:DEBUG|Debug) (?:-|—) (?:\[Req#[^\]]*\] )?Completed: \[<ADDR>(?::\d+)?\] 401 [A-Z]+\s

            ignoreregex =

            # "Aug 20, 2026 14:03:11.101" - 24 h clock without AM/PM (fail2ban's built-in "%b %d, %ExY" template wants %p).
            # PMS writes local time of the container (TZ env).
            datepattern = ^%%b %%d, %%Y %%H:%%M:%%S(?:\.%%f)?
            """#
        case .servarr:
            #"""
            # Fail2Ban filter for Sonarr (v3/v4), Radarr (v3+), Prowlarr (v1/v2) - the shared Servarr code base.
            #
            # Source: Sonarr/Sonarr src/Sonarr.Http/Authentication/AuthenticationService.cs (NLog logger "Auth"):
            #   _authLogger.Warn("Auth-Failure ip {0} username '{1}'", remoteIP, username);   <- a failed login
            #   _authLogger.Info("Auth-Unauthorized ip {0} url '{1}'", context.GetRemoteIP(), context.Path);
            # Auth-Unauthorized is logged for every request refused as unauthenticated, with no password tried: an
            # expired browser session polling before the login redirect, a widget or client without an API key.
            # Counting it would ban such users, or the Docker bridge address of a misconfigured widget. Only
            # Auth-Failure counts. (Auth-Success / Auth-Logout / Auth-Invalidated are benign too.)
            # File layout (NzbDroneLogger FILE_LOG_LAYOUT):
            #   ${date:format=yyyy-MM-dd HH\:mm\:ss.f}|${level}|${logger}|${message}
            # GetRemoteIP() maps IPv4-mapped IPv6 to IPv4 (IsIPv4MappedToIPv6 -> MapToIPv4), but <ADDR> also accepts ::ffff:a.b.c.d
            # (older Nancy-based builds). CleanseLogMessage does NOT mask the IP of Auth-Failure lines
            # (lookbehind (?<!Failure|Unauthorized)); it masks Auth-Success etc., which we do not need.

            [INCLUDES]
            before = common.conf

            [Definition]
            _sv_logger = \|[\w.]*Auth\w*\|
            failregex = ^\|Warn%(_sv_logger)sAuth-Failure ip <ADDR> username '.*'\s*$

            ignoreregex =

            # "2026-08-20 14:03:11.7|" - container local time (TZ env of the app container).
            datepattern = ^%%Y-%%m-%%d %%H:%%M:%%S(?:\.%%f)?(?=\|)
            """#
        case .seerr:
            #"""
            # Fail2Ban filter for Seerr (ghcr.io/seerr-team/seerr) and its predecessors Overseerr and Jellyseerr.
            #
            # Line format (server/logger.ts, winston printf):
            #   `${timestamp} [${level}]${label ? `[${label}]` : ''}: ${message} ` + JSON.stringify(metadata)
            #   timestamp = ISO-8601 UTC ("2026-08-20T14:03:11.123Z"); the file transport is not colourised.
            # Failure messages (server/routes/auth.ts), all logger.warn:
            #   [API]  Failed sign-in attempt using invalid Seerr|Overseerr|Jellyseerr password   {"ip":...,"email":...,"userId":...}
            #   [API]  Failed sign-in attempt by Plex user without access to the media server      {"ip":...}
            #   [API]  Failed sign-in attempt from Plex user without access to the media server    {"account":{"ip":...}}
            #   [API]  Failed sign-in attempt by unimported Plex|Jellyfin user with access to ...   {"ip":...}
            #   [Auth] Failed login attempt from user with incorrect Jellyfin credentials          {"account":{"ip":...,"password":"__REDACTED__"}}
            #   [Auth] Failed login attempt from user without admin permissions [and no admin user exists]  {"account":{"ip":...}}
            #   (newer wording "[Auth] Failed sign-in attempt from user with incorrect Jellyfin credentials" is covered too)
            # req.ip is "::ffff:a.b.c.d" for IPv4 clients on Node's dual-stack socket (or the X-Forwarded-For address when
            # "Proxy Support"/trust proxy is on); <ADDR> strips the ::ffff: prefix.
            # The address must be the FIRST key of the metadata object (or of its "account" object), which is how every call
            # site builds it; user-supplied strings (email) come later and are JSON-escaped, so they cannot inject an "ip" key.
            # Not matched on purpose: "Failed password reset attempt ..." (a user typo on the reset form), [info]/[error] lines.

            [INCLUDES]
            before = common.conf

            [Definition]
            failregex = ^\s*\[warn\]\[(?:API|Auth)\]: Failed (?:sign-in|login) attempt [^{]*\{(?:"account":\{)?"ip":"<ADDR>"

            ignoreregex =

            datepattern = ^%%Y-%%m-%%dT%%H:%%M:%%S(?:\.%%f)?%%z
            """#
        case .authelia:
            #"""
            # Fail2Ban filter for Authelia 4.39 failed first and second factors.
            #
            # Source of the messages (authelia/authelia v4.39.20, all at level error):
            #   internal/handlers/response.go doMarkAuthenticationAttemptWithRequest:
            #     "Unsuccessful %s authentication attempt by user '%s'"
            #     "Unsuccessful %s authentication attempt by user '%s' and they are banned until %s"
            #   internal/handlers/handler_firstfactor_password.go, handler_authz_authn.go (the same message).
            #   %s is one of internal/regulation/const.go: 1FA, Passkey, TOTP, WebAuthn, Duo, Password.
            # File layout: internal/logging/logger.go writes a log file with logrus' TextFormatter (FullTimestamp,
            #   no colours): time="RFC3339" level=error msg="..." error="..." method=POST path=/api/firstfactor
            #   remote_ip=203.0.113.5; fields after msg are sorted, and logrus quotes a value with ':' (IPv6).
            #   remote_ip is the client from X-Forwarded-For (internal/middlewares/authelia_context.go), which Caddy
            #   sets.
            # Lines that must NOT ban: "Successful 1FA authentication attempt made by user" and "Mark 1FA
            #   authentication attempt made by user" (debug). The address that counts is the remote_ip field after
            #   msg: a user name is inside msg's quotes, so it cannot end the line with a forged field.

            [INCLUDES]
            before = common.conf

            [Definition]
            failregex = ^\s*level=error msg="Unsuccessful (?:1FA|Passkey|TOTP|WebAuthn|Duo|Password) authentication attempt by user '(?:[^"\\]|\\.)*'(?: and they are banned until [^"]*)?"(?: [a-z_]+=(?:"(?:[^"\\]|\\.)*"|[^"\s]\S*))*? remote_ip="?<ADDR>"?(?: |$)

            ignoreregex =

            # fail2ban cuts the matched date (time="…") out of the line before failregex runs.
            datepattern = ^time="%%Y-%%m-%%dT%%H:%%M:%%S(?:\.%%f)?%%z"
            """#
        }
    }
}
