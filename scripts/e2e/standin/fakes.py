#!/usr/bin/env python3
"""Stateful contract fakes of the app APIs `mediaserver wire` calls, for apps that cannot run here.

Each fake answers exactly the endpoints the wiring uses, the way the pinned app does at that boundary: paths,
methods, authentication (401 without it), status codes, JSON shapes, validation errors, refusal of duplicate
names, and state that a later GET returns. The source each behaviour was read from is named beside it.

Two uses, one code:
  - the Swift test suite starts one fake per app on a loopback port:
        fakes.py --app sonarr --port 18989 [--api-key KEY] [--fs-root DIR]
  - the end-to-end run's stand-in images (standin.py) serve an app's fake on its container port; the API key
    comes from the environment the app's container gets (SONARR__AUTH__APIKEY, …), as the real app reads it.

Paths such as /data/media/tv are checked for existence under --fs-root (default /), as the apps check them.
"""
import argparse
import copy
import datetime
import json
import os
import re
import signal
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.error import HTTPError as URLHTTPError, URLError
from urllib.parse import parse_qs, urlsplit
from urllib.request import Request as URLRequest, urlopen

PRIVATE = "********"


class HTTPError(Exception):
    def __init__(self, status, body=None, content_type="application/json"):
        super().__init__(status)
        self.status = status
        self.body = body
        self.content_type = content_type


def validation_failure(prop, message, value=None, warning=False):
    # FluentValidation's ValidationFailure as Servarr serializes it (camelCase; Sonarr/Sonarr
    # src/Sonarr.Http/ErrorManagement/SonarrErrorPipeline.cs writes `validationException.Errors`).
    return {
        "propertyName": prop,
        "errorMessage": message,
        "attemptedValue": value,
        "severity": "warning" if warning else "error",
        "isWarning": warning,
    }


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Request:
    def __init__(self, method, raw_path, headers, body):
        split = urlsplit(raw_path)
        self.method = method
        self.raw_path = raw_path
        self.path = split.path.rstrip("/") or "/"
        # ASP.NET Core and Express alike: query keys are matched without case here (forceSave, App, api_key).
        self.query = {k.lower(): v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        self.headers = headers
        self.raw_body = body

    def json(self):
        if not self.raw_body:
            return None
        try:
            return json.loads(self.raw_body)
        except ValueError:
            raise HTTPError(400, {"message": "the request body is not JSON"}) from None


# ---- Servarr (Sonarr v4.0.19.2979, Radarr v6, Prowlarr v2) ---------------------------------------------------------


class ProviderKind:
    """One provider implementation: its settings contract, fields with defaults, privacy and validation."""

    def __init__(self, implementation, contract, fields, validate, extra=None):
        self.implementation = implementation
        self.contract = contract
        self.fields = fields  # [(name, default, private)]
        self.validate = validate  # settings dict -> [failure]
        self.extra = extra or {}


def not_empty(settings, name, label, message=None, when=True):
    value = settings.get(name)
    if when and (value is None or (isinstance(value, str) and not value.strip()) or value == []):
        return [validation_failure(name[0].upper() + name[1:], message or f"'{label}' must not be empty.", value)]
    return []


def valid_url(settings, name):
    # Servarr's IsValidUrl (Prowlarr/Prowlarr src/NzbDrone.Core/Validation/UrlValidator.cs): an absolute http(s) URL.
    value = settings.get(name) or ""
    parts = urlsplit(value) if isinstance(value, str) else None
    if not parts or parts.scheme not in ("http", "https") or not parts.netloc:
        return [validation_failure(name[0].upper() + name[1:], f"Invalid Url: '{value}'", value)]
    return []


def sabnzbd_validator(category_field):
    # Sonarr/Sonarr src/NzbDrone.Core/Download/Clients/Sabnzbd/SabnzbdSettings.cs (v4.0.19.2979); Radarr's is the
    # same with MovieCategory. The category rule is a warning, which a save without forceSave refuses too
    # (ProviderControllerBase.VerifyValidationResult with includeWarnings).
    def validate(s):
        failures = []
        # ValidHost (src/NzbDrone.Core/Validation/RuleBuilderExtensions.cs): not empty, a host name or address.
        host = s.get("host")
        if not isinstance(host, str) or not host.strip():
            failures.append(validation_failure("Host", "'Host' must not be empty.", host))
        elif "://" in host or "/" in host:
            failures.append(validation_failure("Host", "must be valid Host without http://", host))
        port = s.get("port")
        if not isinstance(port, int) or not 1 <= port <= 65535:
            failures.append(validation_failure("Port", "'Port' must be between 1 and 65535.", port))
        no_user = not (s.get("username") or "").strip()
        no_key = not (s.get("apiKey") or "").strip()
        if no_user and no_key:
            failures.append(
                validation_failure("ApiKey", "API Key is required when username/password are not configured", "")
            )
        if not (s.get(category_field) or "").strip():
            cap = category_field[0].upper() + category_field[1:]
            failures.append(validation_failure(cap, "A category is recommended", "", warning=True))
        return failures

    return validate


def application_validator(s):
    # Prowlarr/Prowlarr src/NzbDrone.Core/Applications/Sonarr/SonarrSettings.cs, …/Radarr/RadarrSettings.cs.
    return valid_url(s, "baseUrl") + valid_url(s, "prowlarrUrl") + not_empty(s, "apiKey", "Api Key")


def sabnzbd_kind(category_field, priorities):
    fields = [
        ("host", "localhost", False),
        ("port", 8080, False),
        ("useSsl", False, False),
        ("urlBase", None, False),
        ("apiKey", None, True),
        ("username", None, True),
        ("password", None, True),
        (category_field, "tv" if category_field == "tvCategory" else "movies", False),
        (priorities[0], -100, False),
        (priorities[1], -100, False),
    ]
    return ProviderKind("Sabnzbd", "SabnzbdSettings", fields, sabnzbd_validator(category_field),
                        extra={"implementationName": "SABnzbd", "protocol": "usenet"})


SONARR_CATEGORIES = [5000, 5010, 5020, 5030, 5040, 5045, 5050, 5090]
RADARR_CATEGORIES = [2000, 2010, 2020, 2030, 2040, 2045, 2050, 2060, 2070, 2080, 2090]

APPLICATION_KINDS = {
    "Sonarr": ProviderKind("Sonarr", "SonarrSettings", [
        ("prowlarrUrl", "http://localhost:9696", False),
        ("baseUrl", "http://localhost:8989", False),
        ("apiKey", None, True),
        ("syncCategories", SONARR_CATEGORIES, False),
        ("animeSyncCategories", [5070], False),
        ("syncAnimeStandardFormatSearch", True, False),
        ("syncRejectBlocklistedTorrentHashesWhileGrabbing", False, False),
    ], application_validator, extra={"implementationName": "Sonarr"}),
    "Radarr": ProviderKind("Radarr", "RadarrSettings", [
        ("prowlarrUrl", "http://localhost:9696", False),
        ("baseUrl", "http://localhost:7878", False),
        ("apiKey", None, True),
        ("syncCategories", RADARR_CATEGORIES, False),
        ("syncRejectBlocklistedTorrentHashesWhileGrabbing", False, False),
    ], application_validator, extra={"implementationName": "Radarr"}),
}


class ProviderCollection:
    """A Servarr provider collection: GET, POST (?forceSave), PUT /{id}, DELETE /{id}.

    Sonarr/Sonarr src/Sonarr.Api.V3/ProviderControllerBase.cs (v4.0.19.2979), Prowlarr/Prowlarr
    src/Prowlarr.Api.V1/ProviderControllerBase.cs: Name NotEmpty and unique without case ("Should be unique"),
    Implementation and ConfigContract NotEmpty, Fields NotNull on POST; settings validated when enabled; POST answers
    201 with the resource, PUT 202; a list is ordered by name. Private fields answer ******** and a ******** sent back
    keeps the stored value (src/Sonarr.Http/ClientSchema/SchemaBuilder.cs).
    """

    def __init__(self, kinds, resource_members, enabled_of):
        self.kinds = {k.implementation: k for k in kinds}
        self.items = {}
        self.next_id = 1
        self.resource_members = resource_members  # {member: default}
        self.enabled_of = enabled_of  # resource -> bool

    def to_resource(self, item):
        kind = self.kinds[item["implementation"]]
        fields = []
        for order, (name, _default, private) in enumerate(kind.fields):
            value = item["settings"].get(name)
            if private and value not in (None, ""):
                value = PRIVATE
            fields.append({"order": order, "name": name, "value": value, "privacy": "apiKey" if private else "normal"})
        resource = {
            "id": item["id"], "name": item["name"], "fields": fields, "implementation": kind.implementation,
            "implementationName": kind.extra.get("implementationName", kind.implementation),
            "configContract": kind.contract, "tags": item.get("tags", []),
        }
        for member, default in self.resource_members.items():
            resource[member] = item.get(member, default)
        return resource

    def list(self):
        return sorted((self.to_resource(i) for i in self.items.values()), key=lambda r: r["name"].lower())

    def _model(self, body, existing, post):
        if not isinstance(body, dict):
            raise HTTPError(400, [validation_failure("", "A request body is required.")])
        failures = []
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            failures.append(validation_failure("Name", "'Name' must not be empty.", name))
        elif any(i["name"].lower() == name.lower() and (existing is None or i["id"] != existing["id"])
                 for i in self.items.values()):
            failures.append(validation_failure("Name", "Should be unique", name))
        if not body.get("implementation"):
            failures.append(validation_failure("Implementation", "'Implementation' must not be empty."))
        if not body.get("configContract"):
            failures.append(validation_failure("ConfigContract", "'Config Contract' must not be empty."))
        if post and body.get("fields") is None:
            failures.append(validation_failure("Fields", "'Fields' must not be empty."))
        if failures:
            raise HTTPError(400, failures)
        kind = self.kinds.get(body["implementation"])
        if kind is None or body["configContract"] != kind.contract:
            # The contract type is looked up by name; an unknown one fails the request.
            raise HTTPError(400, {"message": f"Unknown implementation {body['implementation']} / "
                                             f"{body['configContract']}"})
        settings = {n: copy.deepcopy(d) for n, d, _p in kind.fields}
        if existing is not None:
            settings.update(copy.deepcopy(existing["settings"]))
        private = {n for n, _d, p in kind.fields if p}
        known = {n for n, _d, _p in kind.fields}
        for field in body.get("fields") or []:
            fname = field.get("name")
            if fname not in known:
                continue
            value = field.get("value")
            if fname in private and value == PRIVATE:
                continue  # keeps the stored value
            settings[fname] = value
        item = {"name": name, "implementation": kind.implementation, "settings": settings,
                "tags": body.get("tags") or []}
        for member, default in self.resource_members.items():
            item[member] = body.get(member, default)
        return kind, item

    def create(self, body, force_save):
        kind, item = self._model(body, None, True)
        self._validate(kind, item, force_save)
        item["id"] = self.next_id
        self.next_id += 1
        self.items[item["id"]] = item
        return self.to_resource(item)

    def update(self, item_id, body, force_save):
        existing = self.items.get(item_id)
        if existing is None:
            raise HTTPError(404, {"message": "NotFound"})
        kind, item = self._model(body, existing, False)
        self._validate(kind, item, force_save)
        item["id"] = item_id
        self.items[item_id] = item
        return self.to_resource(item)

    def _validate(self, kind, item, force_save):
        if not self.enabled_of(item):
            return
        failures = kind.validate(item["settings"])
        if force_save:
            failures = [f for f in failures if not f["isWarning"]]
        if failures:
            raise HTTPError(400, failures)

    def delete(self, item_id):
        if self.items.pop(item_id, None) is None:
            raise HTTPError(404, {"message": "NotFound"})
        return {}


class RootFolders:
    """Sonarr/Radarr root folders: src/Sonarr.Api.V3/RootFolders/RootFolderController.cs (v4.0.19.2979): POST
    validates the path (IsValidPath "Invalid Path", RootFolderValidator "Path '{path}' is already configured as a
    root folder", PathExistsValidator "Path '{path}' does not exist") and answers 201; no PUT."""

    def __init__(self, fs_root):
        self.fs_root = fs_root
        self.items = {}
        self.next_id = 1

    def resource(self, item):
        return {"id": item["id"], "path": item["path"], "accessible": True, "freeSpace": 1 << 40,
                "unmappedFolders": []}

    def list(self):
        return [self.resource(i) for i in self.items.values()]

    def create(self, body):
        path = (body or {}).get("path") if isinstance(body, dict) else None
        if not isinstance(path, str) or not path.startswith("/"):
            raise HTTPError(400, [validation_failure("Path", "Invalid Path", path)])
        clean = path.rstrip("/") or "/"
        if any(i["path"] == clean for i in self.items.values()):
            raise HTTPError(400, [validation_failure(
                "Path", f"Path '{path}' is already configured as a root folder", path)])
        if not os.path.isdir(os.path.join(self.fs_root, clean.lstrip("/"))):
            raise HTTPError(400, [validation_failure("Path", f"Path '{path}' does not exist", path)])
        item = {"id": self.next_id, "path": clean}
        self.next_id += 1
        self.items[item["id"]] = item
        return self.resource(item)

    def delete(self, item_id):
        if self.items.pop(item_id, None) is None:
            raise HTTPError(404, {"message": "NotFound"})
        return {}


# ---- Prowlarr's indexers (Newznab) ---------------------------------------------------------------------------------
# Prowlarr/Prowlarr src/NzbDrone.Core/Indexers/Definitions/Newznab/NewznabSettings.cs: the settings fields, in
# SchemaBuilder order (nested IndexerBaseSettings as `baseSettings.*`), and NewznabSettingsValidator.
NEWZNAB_FIELDS = [
    ("baseUrl", None, False),
    ("apiPath", "/api", False),
    ("apiKey", None, True),
    ("additionalParameters", None, False),
    ("vipExpiration", "", False),
    ("baseSettings.queryLimit", None, False),
    ("baseSettings.grabLimit", None, False),
    ("baseSettings.limitsUnit", 0, False),
]
# NewznabSettingsValidator.ApiKeyAllowList: sites whose key may not be empty.
NEWZNAB_KEY_REQUIRED = ["nzbs.org", "nzb.life", "dognzb.cr", "nzbplanet.net", "nzbid.org", "nzbndx.com",
                        "nzbindex.in"]
# A few of Newznab.DefaultDefinitions (each a schema entry of its own), and the generic one.
NEWZNAB_PRESETS = [
    ("DrunkenSlug", "https://drunkenslug.com"),
    ("Generic Newznab", ""),
    ("NZBgeek", "https://api.nzbgeek.info"),
    ("NzbPlanet", "https://api.nzbplanet.net"),
]


def newznab_validator(s):
    failures = []
    base = s.get("baseUrl")
    # RuleBuilderExtensions.ValidRootUrl: NotEmpty, then IsValidUrl and starts with http.
    if not isinstance(base, str) or not base.strip():
        failures.append(validation_failure("BaseUrl", "'Base Url' must not be empty.", base))
    elif valid_url(s, "baseUrl"):
        failures.append(validation_failure("BaseUrl", "must be valid URL that starts with http(s)://", base))
    path = s.get("apiPath")
    # ValidUrlBase("/api"): `^(?!\/?https?://[-_a-z0-9.]+)`.
    if isinstance(path, str) and re.match(r"^/?https?://[-_a-z0-9.]+", path, re.IGNORECASE):
        failures.append(validation_failure("ApiPath", "Must be a valid URL path (ie: '/api')", path))
    if isinstance(base, str) and any(site in base.lower() for site in NEWZNAB_KEY_REQUIRED):
        if not (s.get("apiKey") or "").strip():
            failures.append(validation_failure("ApiKey", "'Api Key' must not be empty.", ""))
    for limit in ("queryLimit", "grabLimit"):
        value = s.get("baseSettings." + limit)
        if value is not None and (not isinstance(value, int) or value <= 0):
            failures.append(validation_failure("BaseSettings." + limit[0].upper() + limit[1:],
                                               "Should be greater than zero", value))
    return failures


def newznab_test(s):
    """Indexer test on save (Newznab.Test → HttpIndexerBase.TestConnection): the caps, then a search with the key,
    against the real site over HTTP. Failures as Prowlarr words them; like Prowlarr's HttpException they may quote
    the URL, key included."""
    base = (s.get("baseUrl") or "").rstrip("/")
    path = (s.get("apiPath") or "/api").rstrip("/")
    key = s.get("apiKey") or ""
    suffix = f"&apikey={key}" if key else ""

    def fetch(url):
        request = URLRequest(url, headers={"Accept": "application/rss+xml, text/rss+xml, application/xml, text/xml"})
        with urlopen(request, timeout=10) as response:
            return response.read().decode("utf-8", "replace")

    def failure(message):
        return [validation_failure("", message)]

    try:
        # NewznabCapabilitiesProvider.FetchCapabilities: a failed request propagates; an <error/> answer is parsed,
        # thrown and swallowed there (empty capabilities), so the search below meets it again.
        fetch(f"{base}{path}?t=caps{suffix}")
        search_url = f"{base}{path}?t=search&extended=1{suffix}&limit=100&offset=0"
        body = fetch(search_url)
    except URLHTTPError as error:
        # HttpException: "HTTP request failed: [{status}:{reason}] [GET] at [{url}]".
        detail = f"HTTP request failed: [{error.code}:{error.reason.replace(' ', '')}] [GET] at [{error.url}]"
        if error.code >= 500:
            return failure("Unable to connect to indexer, indexer's server is unavailable. Try again later. " + detail)
        return failure("Unable to connect to indexer, check the log above the ValidationFailure for more details. "
                       + detail)
    except (URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return failure("Unable to connect to indexer. This is typically caused by DNS/SSL issues. Check DNS "
                       "settings, ensure IPv6 is working or disabled, consider using different DNS servers, or try a "
                       "VPN/proxy if needed. See: 'https://wiki.servarr.com/prowlarr/troubleshooting#dns-ssl-"
                       f"connection-issues' {reason}")
    # NewznabRssParser.CheckError: codes 100-199 are IndexerAuthException.
    match = re.search(r'<error\s+code="(\d+)"\s+description="([^"]*)"', body)
    if match:
        code, description = int(match.group(1)), match.group(2)
        if 100 <= code <= 199:
            return failure("Indexer returned result for RSS URL, Credentials appears to be invalid. Response: "
                           + description)
        return failure("Unable to connect to indexer. " + description)
    if "<item" not in body:
        return failure("Query successful, but no results were returned from your indexer. This may be an issue with "
                       "the indexer, your indexer category settings, or other indexer settings such as search "
                       "freeleech only etc. See the FAQ for details.")
    return []


NEWZNAB_KIND = ProviderKind("Newznab", "NewznabSettings", NEWZNAB_FIELDS, newznab_validator,
                            extra={"implementationName": "Newznab"})


class IndexerCollection(ProviderCollection):
    """Prowlarr's /api/v1/indexer: src/Prowlarr.Api.V1/Indexers/IndexerController.cs over ProviderControllerBase.
    The resource rules (AppProfileId ValidId and AppProfileExistsValidator, Priority 1-50) apply to every save; an
    enabled indexer is then validated (Redirect on for Usenet, the settings) and tested against its site, on POST
    even with forceSave (which only lets warnings pass), on PUT unless forceSave."""

    MEMBERS = {"enable": False, "redirect": False, "appProfileId": 0, "priority": 0, "downloadClientId": 0}

    def __init__(self, profiles):
        super().__init__([NEWZNAB_KIND], dict(self.MEMBERS), lambda item: bool(item.get("enable")))
        self.profiles = profiles

    def to_resource(self, item):
        resource = super().to_resource(item)
        resource.update({
            "definitionName": "Newznab", "protocol": "usenet", "privacy": "private", "supportsRss": True,
            "supportsSearch": True, "supportsRedirect": True, "supportsPagination": True,
            "indexerUrls": [item["settings"].get("baseUrl")], "legacyUrls": [],
            "description": "Newznab is an API search specification for Usenet", "language": "en-US",
            "added": item.get("added", "0001-01-01T00:00:00Z"), "sortName": item["name"].lower(),
            "infoLink": "https://wiki.servarr.com/prowlarr/supported-indexers#newznab",
            "capabilities": {"id": 0, "limitsMax": 100, "limitsDefault": 100, "categories": [],
                             "supportsRawSearch": False, "searchParams": ["q"], "tvSearchParams": [],
                             "movieSearchParams": [], "musicSearchParams": [], "bookSearchParams": []},
        })
        return resource

    def schema(self):
        entries = []
        for name, url in NEWZNAB_PRESETS:
            settings = {n: copy.deepcopy(d) for n, d, _p in NEWZNAB_KIND.fields}
            settings["baseUrl"] = url
            resource = self.to_resource({"id": 0, "name": name, "implementation": "Newznab", "settings": settings,
                                         "tags": [], "enable": True, "redirect": True, "appProfileId": 0,
                                         "priority": 25, "downloadClientId": 0})
            resource["presets"] = []
            entries.append(resource)
        # Not every entry is Newznab: Cardigann definitions come first by name.
        entries.insert(0, {"id": 0, "name": "1337x", "implementation": "Cardigann", "implementationName": "Cardigann",
                           "configContract": "CardigannSettings", "protocol": "torrent", "fields": [], "tags": [],
                           "presets": [], "enable": True, "redirect": False, "appProfileId": 0, "priority": 25})
        return entries

    def _resource_rules(self, body):
        failures = []
        profile = body.get("appProfileId", 0) if isinstance(body, dict) else 0
        if not isinstance(profile, int) or profile <= 0:
            failures.append(validation_failure("AppProfileId", "'App Profile Id' must be greater than '0'.", profile))
        elif profile not in self.profiles:
            failures.append(validation_failure("AppProfileId", "App Profile does not exist", profile))
        priority = body.get("priority", 0) if isinstance(body, dict) else 0
        if not isinstance(priority, int) or not 1 <= priority <= 50:
            failures.append(validation_failure(
                "Priority", f"'Priority' must be between 1 and 50. You entered {priority}.", priority))
        if failures:
            raise HTTPError(400, failures)

    def _validate(self, kind, item, force_save):
        if not self.enabled_of(item):
            return
        if not item.get("redirect"):
            raise HTTPError(400, [validation_failure("Redirect", "Redirect must be enabled for Usenet indexers")])
        failures = kind.validate(item["settings"])
        if failures:
            raise HTTPError(400, failures)

    def create(self, body, force_save):
        self._resource_rules(body)
        kind, item = self._model(body, None, True)
        self._validate(kind, item, force_save)
        if item.get("enable"):
            failures = newznab_test(item["settings"])
            if failures:
                raise HTTPError(400, failures)
        item["id"] = self.next_id
        item["added"] = now_iso()
        self.next_id += 1
        self.items[item["id"]] = item
        return self.to_resource(item)

    def update(self, item_id, body, force_save):
        existing = self.items.get(item_id)
        if existing is None:
            raise HTTPError(404, {"message": "NotFound"})
        self._resource_rules(body)
        kind, item = self._model(body, existing, False)
        self._validate(kind, item, force_save)
        if item.get("enable") and not force_save:
            failures = newznab_test(item["settings"])
            if failures:
                raise HTTPError(400, failures)
        item["id"] = item_id
        item["added"] = existing.get("added")
        self.items[item_id] = item
        return self.to_resource(item)

    def test(self, body, force_test):
        """POST /api/v1/indexer/test: validated (warnings too unless forceTest) and tested, enabled or not; 200 "{}"."""
        self._resource_rules(body)
        kind, item = self._model(body, self.items.get((body or {}).get("id") or 0), True)
        failures = kind.validate(item["settings"]) or newznab_test(item["settings"])
        if failures:
            raise HTTPError(400, failures)
        return "{}"


class NewznabFake:
    """A Newznab indexer site (the API Prowlarr tests an indexer with): GET {path}?t=caps|search&apikey=KEY.
    Errors as the Newznab API documents them and Prowlarr reads them (NewznabRssParser.CheckError): 200 with
    <error code="100" description="Incorrect user credentials"/> for a wrong key, code 200 "Missing parameter"
    without one."""

    def __init__(self, api_key):
        self.api_key = api_key

    class XML(str):
        content_type = "application/xml"

    def handle(self, req):
        if req.path != "/api":
            raise HTTPError(404, None)
        given = req.query.get("apikey")
        kind = req.query.get("t")
        if kind not in ("caps", "search", "tvsearch", "movie"):
            return 200, self.XML('<?xml version="1.0" encoding="UTF-8"?>\n'
                                 '<error code="202" description="No such function"/>')
        if not given:
            return 200, self.XML('<?xml version="1.0" encoding="UTF-8"?>\n'
                                 '<error code="200" description="Missing parameter (apikey)"/>')
        if given != self.api_key:
            return 200, self.XML('<?xml version="1.0" encoding="UTF-8"?>\n'
                                 '<error code="100" description="Incorrect user credentials"/>')
        if kind == "caps":
            return 200, self.XML(
                '<?xml version="1.0" encoding="UTF-8"?>\n<caps><server title="fake"/>'
                '<limits max="100" default="100"/><searching>'
                '<search available="yes" supportedParams="q"/>'
                '<tv-search available="yes" supportedParams="q,season,ep,tvdbid"/>'
                '<movie-search available="yes" supportedParams="q,imdbid"/></searching>'
                '<categories><category id="2000" name="Movies"/><category id="5000" name="TV"/></categories>'
                '</caps>')
        return 200, self.XML(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rss version="2.0" xmlns:newznab="http://www.newznab.com/DTD/2010/feeds/attributes/"><channel>'
            '<title>fake</title><item><title>Some.Show.S01E01.1080p.WEB.h264-GROUP</title>'
            '<guid>https://indexer.invalid/details/1</guid><pubDate>Wed, 02 Dec 2026 10:00:00 +0000</pubDate>'
            '<enclosure url="https://indexer.invalid/getnzb/1.nzb" length="1000000" type="application/x-nzb"/>'
            '<newznab:attr name="category" value="5040"/><newznab:attr name="size" value="1000000"/>'
            '</item></channel></rss>')


class ServarrFake:
    """Sonarr, Radarr or Prowlarr. Authentication: X-Api-Key header or apikey query parameter, else 401 with no
    body (Sonarr/Sonarr src/Sonarr.Http/Authentication/ApiKeyAuthenticationHandler.cs; openapi securitySchemes);
    /ping is anonymous (src/Sonarr.Http/Ping/PingController.cs)."""

    def __init__(self, app, api_key, fs_root):
        self.app = app
        self.api_key = api_key
        self.lock = threading.Lock()
        if app == "prowlarr":
            self.version = "2.5.2.5491"
            # AppSyncProfileService adds "Standard" at the first start.
            self.app_profiles = [{"id": 1, "name": "Standard", "enableRss": True, "enableAutomaticSearch": True,
                                  "enableInteractiveSearch": True, "minimumSeeders": 1}]
            self.indexers = IndexerCollection({p["id"] for p in self.app_profiles})
            self.collections = {
                "/api/v1/applications": ProviderCollection(
                    APPLICATION_KINDS.values(), {"syncLevel": "fullSync"},
                    lambda item: item.get("syncLevel") in ("addOnly", "fullSync")),
                "/api/v1/indexer": self.indexers,
            }
            self.root_folders = None
            self.api = "/api/v1"
        else:
            tv = app == "sonarr"
            self.version = "4.0.19.2979" if tv else "6.2.1.10461"
            kind = sabnzbd_kind("tvCategory", ("recentTvPriority", "olderTvPriority")) if tv else sabnzbd_kind(
                "movieCategory", ("recentMoviePriority", "olderMoviePriority"))
            self.collections = {
                "/api/v3/downloadclient": ProviderCollection(
                    [kind], {"enable": False, "protocol": "usenet", "priority": 1,
                             "removeCompletedDownloads": True, "removeFailedDownloads": True},
                    lambda item: bool(item.get("enable"))),
            }
            self.root_folders = RootFolders(fs_root)
            self.api = "/api/v3"

    def authorized(self, req):
        given = req.headers.get("X-Api-Key") or req.query.get("apikey")
        return bool(self.api_key) and given == self.api_key

    def handle(self, req):
        if req.path == "/ping":
            return 200, {"status": "OK"}
        if not req.path.startswith("/api"):
            raise HTTPError(404, None)
        if not self.authorized(req):
            raise HTTPError(401, None)
        force = req.query.get("forcesave", "false").lower() == "true"
        with self.lock:
            if self.app == "prowlarr":
                if req.path == "/api/v1/indexer/schema" and req.method == "GET":
                    return 200, self.indexers.schema()
                if req.path == "/api/v1/indexer/test" and req.method == "POST":
                    force_test = req.query.get("forcetest", "false").lower() == "true"
                    return 200, self.indexers.test(req.json(), force_test)
                if req.path == "/api/v1/appprofile" and req.method == "GET":
                    return 200, self.app_profiles
            if req.path == f"{self.api}/system/status" and req.method == "GET":
                return 200, {"appName": self.app.capitalize(), "version": self.version, "urlBase": ""}
            for path, collection in self.collections.items():
                if req.path == path:
                    if req.method == "GET":
                        return 200, collection.list()
                    if req.method == "POST":
                        return 201, collection.create(req.json(), force)
                    raise HTTPError(405, None)
                if req.path.startswith(path + "/"):
                    item_id = self._id(req.path[len(path) + 1:])
                    if req.method == "GET":
                        item = collection.items.get(item_id)
                        if item is None:
                            raise HTTPError(404, {"message": "NotFound"})
                        return 200, collection.to_resource(item)
                    if req.method == "PUT":
                        return 202, collection.update(item_id, req.json(), force)
                    if req.method == "DELETE":
                        return 200, collection.delete(item_id)
                    raise HTTPError(405, None)
            # The reads of Homepage's widgets (gethomepage/homepage v1.12.3 src/widgets/{sonarr,radarr,prowlarr}/
            # widget.js), answered for a library with nothing in it; shapes from the apps' openapi.json
            # (PagingResource: page, pageSize, sortKey, sortDirection, totalRecords, records; QueueStatusResource;
            # IndexerStatsResource).
            if req.method == "GET" and req.path == "/api/v3/qualityprofile" and self.root_folders is not None:
                return 200, [{"id": i + 1, "name": n, "upgradeAllowed": False, "cutoff": 1, "items": []}
                             for i, n in enumerate(self.DEFAULT_PROFILES)]
            if req.method == "GET" and req.path in self.widget_reads():
                return 200, self.widget_reads()[req.path]
            if self.root_folders is not None and req.path == "/api/v3/rootfolder":
                if req.method == "GET":
                    return 200, self.root_folders.list()
                if req.method == "POST":
                    return 201, self.root_folders.create(req.json())
                raise HTTPError(405, None)
            if self.root_folders is not None and req.path.startswith("/api/v3/rootfolder/"):
                item_id = self._id(req.path[len("/api/v3/rootfolder/"):])
                if req.method == "DELETE":
                    return 200, self.root_folders.delete(item_id)
                raise HTTPError(405, None)
        raise HTTPError(404, None)

    # Sonarr/Sonarr src/NzbDrone.Core/Profiles/Qualities/QualityProfileService.cs (v4.0.19.2979) and Radarr's add
    # these profiles at first start; GET /api/v3/qualityprofile lists them (QualityProfileResource: id, name, …).
    DEFAULT_PROFILES = ["Any", "SD", "HD-720p", "HD-1080p", "Ultra-HD", "HD - 720p/1080p"]

    def widget_reads(self):
        paging = {"page": 1, "pageSize": 10, "sortKey": None, "sortDirection": "default", "totalRecords": 0,
                  "records": []}
        if self.app == "sonarr":
            return {"/api/v3/series": [], "/api/v3/queue": paging, "/api/v3/wanted/missing": paging,
                    "/api/v3/queue/details": []}
        if self.app == "radarr":
            return {"/api/v3/movie": [], "/api/v3/queue/details": [],
                    "/api/v3/queue/status": {"id": 0, "totalCount": 0, "count": 0, "unknownCount": 0,
                                             "errors": False, "warnings": False, "unknownErrors": False,
                                             "unknownWarnings": False}}
        return {"/api/v1/indexerstats": {"id": 0, "indexers": [], "userAgents": [],
                                                                 "hosts": []}}

    @staticmethod
    def _id(text):
        try:
            return int(text)
        except ValueError:
            raise HTTPError(404, None) from None


# ---- Jellyfin 10.11.11 ----------------------------------------------------------------------------------------------


def parse_media_browser(header):
    """`MediaBrowser Client="x", Token="y"` → {Client: x, Token: y}
    (jellyfin/jellyfin Jellyfin.Server.Implementations/Security/AuthorizationContext.cs)."""
    if not header:
        return None
    scheme, _, rest = header.partition(" ")
    if scheme.lower() not in ("mediabrowser", "emby"):
        return None
    values = {}
    for part in rest.split(","):
        key, _, value = part.strip().partition("=")
        if key:
            values[key.strip()] = value.strip().strip('"')
    return values


class JellyfinFake:
    """Jellyfin's startup wizard, sign-in, API keys and libraries (jellyfin/jellyfin at v10.11.11).

    Policies (Jellyfin.Api/Auth/FirstTimeSetupPolicy/FirstTimeSetupHandler.cs): /Startup/* and /Library/VirtualFolders
    are open until the wizard completes, then need an administrator (401 anonymous, 403 non-admin); /Auth/Keys always
    needs an administrator. An API key is an administrator.
    """

    def __init__(self, fs_root):
        self.fs_root = fs_root
        self.lock = threading.Lock()
        self.completed = False
        self.server_id = uuid.uuid4().hex
        self.config = {"ServerName": "jellyfin", "UICulture": "en-US", "MetadataCountryCode": "US",
                       "PreferredMetadataLanguage": "en"}
        self.user = None  # {Name, Id, Password}
        self.sessions = {}  # token -> user id
        self.keys = []  # AuthenticationInfo
        self.folders = []  # VirtualFolderInfo

    def token_of(self, req):
        auth = parse_media_browser(req.headers.get("Authorization")) or {}
        return auth.get("Token") or req.headers.get("X-Emby-Token") or req.headers.get(
            "X-MediaBrowser-Token") or req.query.get("api_key") or req.query.get("apikey")

    def is_admin(self, req):
        token = self.token_of(req)
        return bool(token) and (token in self.sessions or any(k["AccessToken"] == token for k in self.keys))

    def first_time_or_admin(self, req):
        if self.completed and not self.is_admin(req):
            raise HTTPError(401, None)

    def require_admin(self, req):
        if not self.is_admin(req):
            raise HTTPError(401, None)

    def handle(self, req):
        p, m = req.path, req.method
        # Jellyfin.Api/Middleware/LegacyEmbyRouteRewriteMiddleware.cs: /emby/… is served as /… (Homepage uses it).
        if p.lower().startswith("/emby/"):
            p = p[len("/emby"):]
        with self.lock:
            if p == "/health" and m in ("GET", "HEAD"):
                return 200, "Healthy"
            # Jellyfin.Api/Controllers/SystemController.cs GetPublicSystemInfo;
            # MediaBrowser.Model/System/PublicSystemInfo.cs
            if p == "/System/Info/Public" and m == "GET":
                return 200, {"LocalAddress": "http://jellyfin:8096", "ServerName": self.config["ServerName"],
                             "Version": "10.11.11", "ProductName": "Jellyfin Server", "OperatingSystem": "",
                             "Id": self.server_id, "StartupWizardCompleted": self.completed}
            # Jellyfin.Api/Controllers/StartupController.cs
            if p.startswith("/Startup/"):
                self.first_time_or_admin(req)
                if p == "/Startup/Configuration" and m == "GET":
                    return 200, dict(self.config)
                if p == "/Startup/Configuration" and m == "POST":
                    body = req.json()
                    if not isinstance(body, dict):
                        raise HTTPError(400, {"title": "One or more validation errors occurred.", "status": 400})
                    for key in ("ServerName", "UICulture", "MetadataCountryCode", "PreferredMetadataLanguage"):
                        if body.get(key) is not None:
                            self.config[key] = body[key]
                    return 204, None
                if p in ("/Startup/User", "/Startup/FirstUser") and m == "GET":
                    if self.user is None:
                        self.user = {"Name": "jellyfin", "Id": uuid.uuid4().hex, "Password": None}
                    return 200, {"Name": self.user["Name"], "Password": None}
                if p == "/Startup/User" and m == "POST":
                    if self.user is None:
                        raise HTTPError(404, None)
                    body = req.json() or {}
                    if not (body.get("Password") or "").strip():
                        raise HTTPError(400, "Password must not be empty", "text/plain")
                    if body.get("Name"):
                        self.user["Name"] = body["Name"]
                    self.user["Password"] = body["Password"]
                    return 204, None
                if p == "/Startup/Complete" and m == "POST":
                    self.completed = True
                    return 204, None
                raise HTTPError(404, None)
            # Jellyfin.Api/Controllers/UserController.cs AuthenticateUserByName; MediaBrowser.Controller/
            # Authentication/AuthenticationResult.cs
            if p == "/Users/AuthenticateByName" and m == "POST":
                body = req.json()
                if not isinstance(body, dict):
                    raise HTTPError(400, {"title": "One or more validation errors occurred.", "status": 400})
                user = self.user
                if (user is None or user["Password"] is None or body.get("Username", "").lower() != user["Name"].lower()
                        or body.get("Pw") != user["Password"]):
                    raise HTTPError(401, "Error processing request.", "text/plain")
                token = uuid.uuid4().hex
                self.sessions[token] = user["Id"]
                return 200, {"User": {"Name": user["Name"], "Id": user["Id"], "ServerId": self.server_id,
                                      "Policy": {"IsAdministrator": True}},
                             "SessionInfo": {"UserId": user["Id"], "UserName": user["Name"]},
                             "AccessToken": token, "ServerId": self.server_id}
            # Jellyfin.Api/Controllers/ApiKeyController.cs; MediaBrowser.Controller/Security/AuthenticationInfo.cs;
            # MediaBrowser.Model/Querying/QueryResult.cs
            if p == "/Auth/Keys" and m == "GET":
                self.require_admin(req)
                return 200, {"Items": copy.deepcopy(self.keys), "TotalRecordCount": len(self.keys), "StartIndex": 0}
            if p == "/Auth/Keys" and m == "POST":
                self.require_admin(req)
                app = req.query.get("app")
                if not app:
                    raise HTTPError(400, {"title": "One or more validation errors occurred.", "status": 400,
                                          "errors": {"app": ["The app field is required."]}})
                self.keys.append({"Id": len(self.keys) + 1, "AccessToken": uuid.uuid4().hex, "DeviceId": "",
                                  "AppName": app, "AppVersion": "", "DeviceName": "", "UserId":
                                      "00000000000000000000000000000000", "IsActive": True,
                                  "DateCreated": now_iso(), "DateRevoked": None, "DateLastActivity": now_iso(),
                                  "UserName": None})
                return 204, None
            # Jellyfin.Api/Controllers/LibraryStructureController.cs; MediaBrowser.Model/Entities/VirtualFolderInfo.cs
            # Jellyfin.Api/Controllers/LibraryController.cs GetMediaFolders: the libraries as CollectionFolder items
            # (what Seerr's library sync reads, seerr server/api/jellyfin.ts getLibraries).
            if p == "/Library/MediaFolders" and m == "GET":
                self.require_admin(req)
                items = [{"Name": f["Name"], "Id": f["ItemId"], "Type": "CollectionFolder",
                          "CollectionType": f["CollectionType"]} for f in self.folders]
                return 200, {"Items": items, "TotalRecordCount": len(items), "StartIndex": 0}
            if p == "/Library/VirtualFolders":
                self.first_time_or_admin(req)
                if m == "GET":
                    return 200, copy.deepcopy(self.folders)
                if m == "POST":
                    return self.add_folder(req)
                raise HTTPError(405, None)
            # The reads of Homepage's Jellyfin widget (gethomepage/homepage v1.12.3 src/widgets/jellyfin/widget.js:
            # emby/Sessions, emby/Items/Counts with api_key), for a library with nothing in it.
            if p == "/Items/Counts" and m == "GET":
                self.require_admin(req)
                return 200, {"MovieCount": 0, "SeriesCount": 0, "EpisodeCount": 0, "ArtistCount": 0,
                             "ProgramCount": 0, "TrailerCount": 0, "SongCount": 0, "AlbumCount": 0,
                             "MusicVideoCount": 0, "BoxSetCount": 0, "BookCount": 0, "ItemCount": 0}
            if p == "/Sessions" and m == "GET":
                self.require_admin(req)
                return 200, []
        raise HTTPError(404, None)

    def add_folder(self, req):
        name = req.query.get("name")
        if not name:
            raise HTTPError(400, {"title": "One or more validation errors occurred.", "status": 400,
                                  "errors": {"name": ["The name field is required."]}})
        collection = req.query.get("collectiontype")
        if collection not in (None, "movies", "tvshows", "music", "musicvideos", "homevideos", "boxsets", "books",
                              "mixed"):
            raise HTTPError(400, {"title": "One or more validation errors occurred.", "status": 400,
                                  "errors": {"collectionType": [f"The value '{collection}' is not valid."]}})
        # Emby.Server.Implementations/Library/LibraryManager.cs AddVirtualFolder: a taken name or a missing path is
        # an ArgumentException, which the exception middleware answers with 400.
        if any(f["Name"].lower() == name.lower() for f in self.folders):
            raise HTTPError(400, f"There is already a media library with the name {name}.", "text/plain")
        paths = [x for x in (req.query.get("paths") or "").split(",") if x]
        for path in paths:
            if not os.path.isdir(os.path.join(self.fs_root, path.lstrip("/"))):
                raise HTTPError(400, f"The path does not exist: {path}", "text/plain")
        self.folders.append({"Name": name, "Locations": paths, "CollectionType": collection,
                             "LibraryOptions": (req.json() or {}).get("LibraryOptions") or {},
                             "ItemId": uuid.uuid4().hex, "PrimaryImageItemId": None, "RefreshProgress": None,
                             "RefreshStatus": "Idle"})
        return 204, None


# ---- Seerr v3.1.0 (Jellyseerr and Overseerr) ------------------------------------------------------------------------


class SeerrFake:
    """Seerr's setup through its API (seerr-team/seerr at v3.1.0, seerr-api.yml).

    Authentication (server/middleware/auth.ts): X-Api-Key equal to main.apiKey acts as user 1; before user 1 exists
    (no one signed in yet) it is nobody, and /api/v1/settings/* answers 403 {status, error} (server/routes/index.ts
    mounts settings behind isAuthenticated(ADMIN)). POST /api/v1/auth/jellyfin (server/routes/auth.ts) signs in to
    Jellyfin at the given hostname: the first administrator becomes user 1, and Seerr creates its own Jellyfin API key
    (`/Auth/Keys?App=Seerr`, server/api/jellyfin.ts). Library sync (GET /settings/jellyfin/library?sync, ?enable=ids)
    reads Jellyfin's /Library/MediaFolders. Sonarr/Radarr servers are a list (server/routes/settings/sonarr.ts: POST
    appends with id = last id + 1 and answers 201, no validation; PUT /{id}). POST /settings/initialize sets
    public.initialized. The app calls Jellyfin itself, so a sign-in works only when Jellyfin answers.

    Network settings (server/lib/settings/index.ts NetworkSettings and its defaults): GET /settings/network answers
    them; POST merges the body into them (lodash merge) and answers the result (server/routes/settings/index.ts),
    after express-openapi-validator checked the body against seerr-api.yml NetworkSettings (400 {message, errors}).
    Express reads trustProxy once, at start (server/index.ts); /status says restartRequired while csrfProtection,
    trustProxy or proxy.enabled differ from what the process started with (server/utils/restartFlag.ts).

    With a config directory (Seerr's CONFIG_DIRECTORY, /app/config in the image) the fake keeps what Seerr keeps
    across a restart, where Seerr keeps it: the settings in `settings.json` (server/lib/settings/index.ts
    SETTINGS_PATH, `AllSettings`: main.apiKey and main.mediaServerType, public.initialized, jellyfin, plex, sonarr,
    radarr, network; other keys of the file are kept as they are, and keys missing from it take their defaults, as
    `Settings.load` merges the file over them), written whole after each change (`Settings.save`: a temporary file,
    then a rename); the users and the owner's Plex token, which Seerr keeps in its database (`db/db.sqlite3`,
    server/datasource.ts), in `db/standin-db.json`. The API key of the environment wins over the file's, as
    API_KEY does in Seerr.
    """

    NOT_CONFIGURED, PLEX, JELLYFIN, EMBY = 4, 1, 2, 3
    NETWORK = {"csrfProtection": False, "forceIpv4First": False, "trustProxy": False,
               "proxy": {"enabled": False, "hostname": "", "port": 8080, "useSsl": False, "user": "", "password": "",
                         "bypassFilter": "", "bypassLocalAddresses": True},
               "dnsCache": {"enabled": False, "forceMinTtl": 0, "forceMaxTtl": -1},
               "apiRequestTimeout": 10000}
    # seerr-api.yml components.schemas.NetworkSettings: the types the validator checks (other keys pass).
    NETWORK_SCHEMA = {"csrfProtection": bool, "forceIpv4First": bool, "trustProxy": bool,
                      "proxy": {"enabled": bool, "hostname": str, "port": (int, float), "useSsl": bool, "user": str,
                                "password": str, "bypassFilter": str, "bypassLocalAddresses": bool},
                      "dnsCache": {"enabled": bool, "forceMinTtl": (int, float), "forceMaxTtl": (int, float)}}
    def __init__(self, api_key, resolve=None, plex_tv="https://plex.tv", config_dir=None):
        self.api_key = api_key or uuid.uuid4().hex
        self.resolve = resolve or {}
        self.plex_tv = plex_tv
        self.lock = threading.Lock()
        self.media_server_type = self.NOT_CONFIGURED
        self.initialized = False
        self.users = []
        self.jellyfin = {"name": "", "ip": "", "port": 8096, "useSsl": False, "urlBase": "", "externalHostname": "",
                         "jellyfinForgotPasswordUrl": "", "libraries": [], "serverId": "", "apiKey": ""}
        self.servers = {"sonarr": [], "radarr": []}
        # Defaults of server/lib/settings/index.ts; user 1's Plex token is kept apart (the User entity's plexToken
        # column is select: false, so no answer carries it).
        self.plex = {"name": "", "ip": "", "port": 32400, "useSsl": False, "libraries": []}
        self.plex_token = None
        self.network = copy.deepcopy(self.NETWORK)
        self.config_dir = config_dir
        self.load()
        self.started_network = copy.deepcopy(self.network)
        self.saved = self.snapshot()

    def paths(self):
        return os.path.join(self.config_dir, "settings.json"), os.path.join(self.config_dir, "db", "standin-db.json")

    @staticmethod
    def read_json(path):
        if not os.path.exists(path):
            return {}
        with open(path, encoding="utf-8") as f:
            return json.load(f)

    @staticmethod
    def write_json(path, data, indent=None):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        temporary = path + ".tmp"
        with open(temporary, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=indent)
        os.replace(temporary, path)

    def load(self):
        if not self.config_dir:
            return
        settings_path, db_path = self.paths()
        settings = self.read_json(settings_path)
        self.media_server_type = settings.get("main", {}).get("mediaServerType", self.media_server_type)
        self.initialized = settings.get("public", {}).get("initialized", self.initialized)
        self.jellyfin = {**self.jellyfin, **settings.get("jellyfin", {})}
        self.plex = {**self.plex, **settings.get("plex", {})}
        self.servers = {kind: settings.get(kind, []) for kind in ("sonarr", "radarr")}
        self.merge(self.network, settings.get("network", {}))
        database = self.read_json(db_path)
        self.users = database.get("users", self.users)
        self.plex_token = database.get("plexToken", self.plex_token)

    def snapshot(self):
        return json.dumps([self.media_server_type, self.initialized, self.jellyfin, self.plex, self.servers,
                           self.network, self.users, self.plex_token], sort_keys=True)

    def save(self):
        """Writes settings.json and the stand-in database when something changed since the last write."""
        if not self.config_dir or self.snapshot() == self.saved:
            return
        settings_path, db_path = self.paths()
        settings = self.read_json(settings_path)
        settings.setdefault("main", {}).update({"apiKey": self.api_key, "mediaServerType": self.media_server_type})
        settings.setdefault("public", {})["initialized"] = self.initialized
        settings.update({"jellyfin": self.jellyfin, "plex": self.plex, "sonarr": self.servers["sonarr"],
                         "radarr": self.servers["radarr"], "network": self.network})
        # Seerr writes JSON.stringify(data, undefined, ' ').
        self.write_json(settings_path, settings, indent=1)
        self.write_json(db_path, {"users": self.users, "plexToken": self.plex_token})
        self.saved = self.snapshot()

    def restart_required(self):
        before, now = self.started_network, self.network
        return (before["csrfProtection"] != now["csrfProtection"] or before["trustProxy"] != now["trustProxy"]
                or before["proxy"]["enabled"] != now["proxy"]["enabled"])

    @classmethod
    def invalid(cls, body, schema, path):
        """The validator's errors of `body` against `schema` ({path, message, errorCode} as express-openapi-validator
        4.13 reports ajv's)."""
        if not isinstance(body, dict):
            return [{"path": path, "message": "should be object", "errorCode": "type.openapi.validation"}]
        errors = []
        for key, kind in schema.items():
            if key not in body:
                continue
            if isinstance(kind, dict):
                errors += cls.invalid(body[key], kind, f"{path}.{key}")
            elif not isinstance(body[key], kind) or (kind is not bool and isinstance(body[key], bool)):
                name = "boolean" if kind is bool else "string" if kind is str else "number"
                errors.append({"path": f"{path}.{key}", "message": f"should be {name}",
                               "errorCode": "type.openapi.validation"})
        return errors

    @staticmethod
    def merge(target, source):
        # lodash merge: nested objects merge key by key, anything else replaces.
        for key, value in source.items():
            if isinstance(value, dict) and isinstance(target.get(key), dict):
                SeerrFake.merge(target[key], value)
            else:
                target[key] = copy.deepcopy(value)

    def public(self):
        return {"initialized": self.initialized, "applicationTitle": "Seerr", "applicationUrl": "",
                "mediaServerType": self.media_server_type, "localLogin": True, "mediaServerLogin": True,
                "movie4kEnabled": False, "series4kEnabled": False, "locale": "en"}

    def jellyfin_call(self, method, path, token=None, body=None):
        host = self.resolve.get(f"{self.jellyfin['ip']}:{self.jellyfin['port']}",
                                f"{self.jellyfin['ip']}:{self.jellyfin['port']}")
        scheme = "https" if self.jellyfin["useSsl"] else "http"
        auth = 'MediaBrowser Client="Seerr", Device="Seerr", DeviceId="BOT_seerr", Version="3.1.0"'
        if token:
            auth += f', Token="{token}"'
        import urllib.error
        import urllib.request
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{scheme}://{host}{self.jellyfin['urlBase']}{path}", data=data,
                                         method=method, headers={"Authorization": auth,
                                                                 "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                text = response.read()
                return response.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as error:
            return error.code, None
        except OSError as error:
            raise HTTPError(500, {"message": f"Jellyfin is unreachable: {error}"}) from error

    def user(self, req):
        if req.headers.get("X-Api-Key") == self.api_key:
            wanted = int(req.headers.get("X-API-User") or 1)
            return next((u for u in self.users if u["id"] == wanted), None)
        return None

    def handle(self, req):
        with self.lock:
            try:
                return self.answer(req)
            finally:
                self.save()

    def answer(self, req):
        p, m = req.path, req.method
        if p == "/api/v1/settings/public" and m == "GET":
            return 200, self.public()
        if p == "/api/v1/status" and m == "GET":
            return 200, {"version": "3.1.0", "commitTag": "v3.1.0", "updateAvailable": False, "commitsBehind": 0,
                         "restartRequired": self.restart_required()}
        if p == "/api/v1/auth/jellyfin" and m == "POST":
            return self.sign_in(req.json() or {})
        if p == "/api/v1/auth/plex" and m == "POST":
            return self.sign_in_plex(req.json() or {})
        if not p.startswith("/api/v1/"):
            raise HTTPError(404, None)
        user = self.user(req)
        if user is None:
            raise HTTPError(403, {"status": 403, "error": "You do not have permission to access this endpoint"})
        # The read of Homepage's Seerr widget (gethomepage/homepage src/widgets/jellyseerr/widget.js).
        if p == "/api/v1/request/count" and m == "GET":
            return 200, {"total": 0, "movie": 0, "tv": 0, "pending": 0, "approved": 0, "declined": 0,
                         "processing": 0, "available": 0, "completed": 0}
        if p == "/api/v1/settings/main" and m == "GET":
            return 200, {"apiKey": self.api_key, "applicationTitle": "Seerr", "mediaServerType":
                         self.media_server_type, "locale": "en"}
        if p == "/api/v1/settings/jellyfin" and m == "GET":
            return 200, copy.deepcopy(self.jellyfin)
        if p == "/api/v1/settings/network" and m == "GET":
            return 200, copy.deepcopy(self.network)
        if p == "/api/v1/settings/network" and m == "POST":
            body = req.json()
            errors = self.invalid(body, self.NETWORK_SCHEMA, ".body")
            if errors:
                first = errors[0]
                message = f"request{first['path']} {first['message']}"
                raise HTTPError(400, {"message": message, "errors": errors})
            self.merge(self.network, body)
            return 200, copy.deepcopy(self.network)
        if p == "/api/v1/settings/jellyfin/library" and m == "GET":
            return self.libraries(req)
        if p.startswith("/api/v1/settings/plex"):
            return self.plex_settings(req)
        if p == "/api/v1/settings/initialize" and m == "POST":
            self.initialized = True
            return 200, {"initialized": True}
        for kind in ("sonarr", "radarr"):
            base = f"/api/v1/settings/{kind}"
            if p == base and m == "GET":
                return 200, copy.deepcopy(self.servers[kind])
            if p == base and m == "POST":
                body = req.json()
                if not isinstance(body, dict):
                    raise HTTPError(400, {"message": "request.body should be object"})
                servers = self.servers[kind]
                body["id"] = servers[-1]["id"] + 1 if servers else 0
                if body.get("isDefault"):
                    for server in servers:
                        if server.get("is4k") == body.get("is4k"):
                            server["isDefault"] = False
                servers.append(body)
                return 201, body
            if p.startswith(base + "/") and m == "PUT":
                try:
                    index = next(i for i, x in enumerate(self.servers[kind]) if x["id"] == int(p[len(base) + 1:]))
                except (StopIteration, ValueError):
                    raise HTTPError(404, {"status": 404, "message": "Settings instance not found"}) from None
                body = req.json() or {}
                body["id"] = self.servers[kind][index]["id"]
                self.servers[kind][index] = body
                return 200, body
        raise HTTPError(404, {"status": 404, "message": "Not found"})

    def sign_in(self, body):
        # server/routes/auth.ts authRoutes.post('/jellyfin')
        if self.media_server_type not in (self.NOT_CONFIGURED, self.JELLYFIN, self.EMBY):
            raise HTTPError(500, {"error": "Jellyfin login is disabled"})
        if not body.get("username"):
            raise HTTPError(500, {"error": "You must provide an username"})
        if self.jellyfin["ip"] and body.get("hostname"):
            raise HTTPError(500, {"error": "Jellyfin hostname already configured"})
        if not self.jellyfin["ip"] and not body.get("hostname"):
            raise HTTPError(500, {"error": "No hostname provided."})
        if not self.jellyfin["ip"]:
            self.jellyfin.update({"ip": body["hostname"], "port": body.get("port") or 8096,
                                  "useSsl": bool(body.get("useSsl")), "urlBase": body.get("urlBase") or ""})
            fresh = True
        else:
            fresh = False
        status, account = self.jellyfin_call("POST", "/Users/AuthenticateByName",
                                             body={"Username": body["username"], "Pw": body.get("password") or ""})
        if status != 200 or not account:
            if fresh:
                self.jellyfin["ip"] = ""
            raise HTTPError(401, {"message": "InvalidCredentials"})
        jellyfin_user = account["User"]
        known = next((u for u in self.users if u["jellyfinUserId"] == jellyfin_user["Id"]), None)
        if not known and not self.users or self.media_server_type == self.NOT_CONFIGURED:
            if not jellyfin_user.get("Policy", {}).get("IsAdministrator"):
                raise HTTPError(403, {"message": "NotAdmin"})
            if body.get("serverType") not in (self.JELLYFIN, self.EMBY):
                raise HTTPError(500, {"message": "NoAdminUser"})
            self.media_server_type = body["serverType"]
            admin = {"id": 1, "email": body.get("email") or jellyfin_user["Name"],
                     "jellyfinUsername": jellyfin_user["Name"], "jellyfinUserId": jellyfin_user["Id"],
                     "permissions": 2, "userType": 3 if body["serverType"] == self.JELLYFIN else 4}
            self.users = [admin] + [u for u in self.users if u["id"] != 1]
            token = account["AccessToken"]
            self.jellyfin_call("POST", "/Auth/Keys?App=Seerr", token=token)
            _status, keys = self.jellyfin_call("GET", "/Auth/Keys", token=token)
            seerr_keys = [k for k in (keys or {}).get("Items", []) if k.get("AppName") == "Seerr"]
            self.jellyfin["apiKey"] = seerr_keys[-1]["AccessToken"] if seerr_keys else ""
            _status, info = self.jellyfin_call("GET", "/System/Info/Public")
            self.jellyfin["name"] = (info or {}).get("ServerName", "")
            self.jellyfin["serverId"] = jellyfin_user.get("ServerId", "")
            return 200, admin
        if known:
            return 200, known
        raise HTTPError(403, {"status": 403, "message": "Access denied."})

    def sign_in_plex(self, body):
        # server/routes/auth.ts authRoutes.post('/plex'): the token's account from plex.tv (server/api/plextv.ts
        # getUser, GET https://plex.tv/users/account.json with X-Plex-Token); the first account becomes user 1 and
        # Plex the media server.
        if not body.get("authToken"):
            raise HTTPError(500, {"message": "Authentication token required."})
        if self.media_server_type not in (self.NOT_CONFIGURED, self.PLEX):
            raise HTTPError(500, {"error": "Plex login is disabled"})
        import urllib.error
        import urllib.request
        request = urllib.request.Request(f"{self.plex_tv}/users/account.json",
                                         headers={"X-Plex-Token": body["authToken"], "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                account = json.loads(response.read())["user"]
        except (OSError, ValueError, KeyError):
            raise HTTPError(500, {"message": "Unable to authenticate."}) from None
        known = next((u for u in self.users if u.get("plexId") == account["id"]), None)
        if known is None and not self.users:
            admin = {"id": 1, "email": account["email"], "plexUsername": account["username"],
                     "plexId": account["id"], "permissions": 2, "userType": 1}
            self.users = [admin]
            self.plex_token = account["authToken"]
            self.media_server_type = self.PLEX
            return 200, admin
        if known is not None:
            return 200, known
        raise HTTPError(403, {"message": "Access denied."})

    def libraries(self, req):
        # server/routes/settings/index.ts settingsRoutes.get('/jellyfin/library')
        if req.query.get("sync"):
            status, folders = self.jellyfin_call("GET", "/Library/MediaFolders", token=self.jellyfin["apiKey"])
            if status != 200:
                folders = {"Items": []}
            excluded = {"music", "books", "musicvideos", "homevideos", "boxsets"}
            found = [f for f in folders.get("Items", []) if f.get("Type") == "CollectionFolder"
                     and f.get("CollectionType") not in excluded]
            if not found:
                raise HTTPError(404, {"status": 404, "message": "SyncErrorNoLibraries"})
            old = {(x["id"], x["name"]): x["enabled"] for x in self.jellyfin["libraries"]}
            self.jellyfin["libraries"] = [
                {"id": f["Id"], "name": f["Name"], "enabled": old.get((f["Id"], f["Name"]), False),
                 "type": "movie" if f.get("CollectionType") == "movies" else "show"} for f in found]
        enabled = [x for x in (req.query.get("enable") or "").split(",") if x]
        for library in self.jellyfin["libraries"]:
            library["enabled"] = library["id"] in enabled
        return 200, copy.deepcopy(self.jellyfin["libraries"])

    # -- Seerr's Plex settings (server/routes/settings/index.ts, server/api/plexapi.ts at v3.1.0) --

    PLEX_READ_ONLY = ("name", "machineId", "libraries")  # seerr-api.yml PlexSettings: readOnly members

    def plex_call(self, path):
        """GET `path` on the Plex server of the settings, as Seerr's PlexAPI does: user 1's token in X-Plex-Token,
        JSON asked for (server/api/externalapi.ts sets Accept: application/json). (status, json or None)."""
        import urllib.error
        import urllib.request
        target = f"{self.plex['ip']}:{self.plex['port']}"
        host = self.resolve.get(target, target)
        scheme = "https" if self.plex.get("useSsl") else "http"
        request = urllib.request.Request(f"{scheme}://{host}{path}", headers={
            "X-Plex-Token": self.plex_token or "", "Accept": "application/json", "X-Plex-Product": "Seerr",
            "X-Plex-Client-Identifier": "seerr-fake"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, None
        except (OSError, ValueError):
            return None, None

    def plex_settings(self, req):
        p, m = req.path, req.method
        if p == "/api/v1/settings/plex" and m == "GET":
            return 200, copy.deepcopy(self.plex)
        if p == "/api/v1/settings/plex" and m == "POST":
            body = req.json()
            # express-openapi-validator 4.13.8 against seerr-api.yml (server/index.ts validateRequests): a readOnly
            # member or a wrong type is a 400 before the route runs; the error handler answers {message, errors}.
            if not isinstance(body, dict):
                raise HTTPError(400, {"message": "request/body must be object",
                                      "errors": [{"path": "/body", "message": "must be object",
                                                  "errorCode": "type.openapi.validation"}]})
            for member in self.PLEX_READ_ONLY:
                if member in body:
                    raise HTTPError(400, {"message": f"request/body/{member} is read-only",
                                          "errors": [{"path": f"/body/{member}", "message": "is read-only",
                                                      "errorCode": "readOnly.openapi.validation"}]})
            for member, kind, label in (("ip", str, "string"), ("port", (int, float), "number"),
                                        ("useSsl", (bool, type(None)), "boolean")):
                value = body.get(member)
                if member in body and (not isinstance(value, kind) or (label == "number" and isinstance(value, bool))):
                    raise HTTPError(400, {"message": f"request/body/{member} must be {label}",
                                          "errors": [{"path": f"/body/{member}", "message": f"must be {label}",
                                                      "errorCode": "type.openapi.validation"}]})
            # The route assigns the body to the settings, then tests the connection (GET / with user 1's token)
            # and stores the server's machineIdentifier and friendlyName; any failure is a 500.
            self.plex.update(body)
            status, answer = self.plex_call("/")
            container = (answer or {}).get("MediaContainer") or {} if isinstance(answer, dict) else {}
            if status != 200 or not container.get("machineIdentifier"):
                raise HTTPError(500, {"message": "Unable to connect to Plex."})
            self.plex["machineId"] = container["machineIdentifier"]
            self.plex["name"] = container.get("friendlyName", "")
            return 200, copy.deepcopy(self.plex)
        if p == "/api/v1/settings/plex/library" and m == "GET":
            if req.query.get("sync"):
                # PlexAPI.syncLibraries: movie and show sections that have an agent; a failed read empties the list.
                status, answer = self.plex_call("/library/sections")
                try:
                    sections = answer["MediaContainer"]["Directory"] if status == 200 else None
                    found = [x for x in sections if x.get("type") in ("movie", "show")
                             and x.get("agent") != "com.plexapp.agents.none"]
                except (TypeError, KeyError):
                    found = None
                old = {(x["id"], x["name"]): x for x in self.plex["libraries"]}
                self.plex["libraries"] = [
                    {"id": x["key"], "name": x["title"], "type": x["type"],
                     "enabled": old.get((x["key"], x["title"]), {}).get("enabled", False)} for x in found or []]
            # Every library not named in ?enable is disabled, also by a plain sync.
            enabled = [x for x in (req.query.get("enable") or "").split(",") if x]
            for library in self.plex["libraries"]:
                library["enabled"] = library["id"] in enabled
            return 200, copy.deepcopy(self.plex["libraries"])
        raise HTTPError(404, {"status": 404, "message": "Not found"})


# ---- plex.tv ------------------------------------------------------------------------------------------------------


class PlexTvFake:
    """The one plex.tv call Seerr makes at a Plex sign-in: GET /users/account.json with X-Plex-Token, answering
    {"user": {id, uuid, email, username, title, thumb, authToken}} (seerr server/api/plextv.ts PlexUser), 401
    for an unknown token. It stands in for plex.tv in the test suite only."""

    def __init__(self, token):
        self.token = token

    def handle(self, req):
        if req.path == "/users/account.json" and req.method == "GET":
            if not self.token or req.headers.get("X-Plex-Token") != self.token:
                raise HTTPError(401, {"error": "Invalid authentication token."})
            return 200, {"user": {"id": 4242, "uuid": "u4242", "email": "owner@example.com", "username": "owner",
                                  "title": "owner", "thumb": "", "authToken": self.token}}
        raise HTTPError(404, None)


# ---- Tautulli v2.17.1 -----------------------------------------------------------------------------------------------


class TautulliFake:
    """Tautulli's config.ini and API v2, as Tautulli/Tautulli v2.17.1 has them.

    config.ini (plexpy/config.py): read once at start with ConfigObj; every key of _CONFIG_DEFINITIONS is filled in
    with its default (Config.check_setting) and cast to its type; plexpy/__init__.py generates PMS_UUID and API_KEY
    (uuid4().hex) when empty and writes the file. The running app keeps its settings in memory and writes them all
    back when it stops (plexpy.shutdown → CONFIG.write()), so a change made to the file while it runs is lost. At start,
    with a token, an address and a port, startup_refresh → plextv.get_server_resources sets pms_url to
    http://ip:port and pms_is_remote to 0 when SSL is off.

    API v2 (plexpy/api2.py, API2._api_validate and _api_run; webserve.py `api` routes /api/v2): `apikey` and `cmd`
    in the query; every answer is {"response": {"result", "message", "data"}}; every refusal (API off, no key, wrong
    key `Invalid apikey`, unknown command) answers HTTP 400 with result "error" and data {}. Commands served here:
    get_server_info (webserve.py: the PMS keys, pms_is_cloud removed) and get_settings (api2.py: sections, with
    pms_token and jwt_secret as null, `key` one section). GET /status answers {"result": "success", "message": "Ok"}
    without authentication (webserve.py `status`).
    """

    # (section, key): (type, default), for the keys read or served here (plexpy/config.py _CONFIG_DEFINITIONS).
    DEFINITIONS = {
        ("General", "api_enabled"): (int, 1), ("General", "api_key"): (str, ""),
        ("General", "first_run_complete"): (int, 0), ("General", "jwt_secret"): (str, ""),
        ("PMS", "pms_identifier"): (str, ""), ("PMS", "pms_ip"): (str, "127.0.0.1"), ("PMS", "pms_is_cloud"): (int, 0),
        ("PMS", "pms_is_remote"): (int, 0), ("PMS", "pms_name"): (str, ""), ("PMS", "pms_name_override"): (str, ""),
        ("PMS", "pms_platform"): (str, ""), ("PMS", "pms_plexpass"): (int, 0), ("PMS", "pms_port"): (int, 32400),
        ("PMS", "pms_ssl"): (int, 0), ("PMS", "pms_token"): (str, ""), ("PMS", "pms_url"): (str, ""),
        ("PMS", "pms_url_manual"): (int, 0), ("PMS", "pms_uuid"): (str, ""), ("PMS", "pms_version"): (str, ""),
    }
    DO_NOT_DOWNLOAD = {"pms_token", "jwt_secret"}

    def __init__(self, config_file):
        self.config_file = config_file
        self.lock = threading.Lock()
        # section → {key: value}, in file order; values of DEFINITIONS are typed, others kept as written.
        self.config = {}
        self.load()

    @staticmethod
    def unquote(raw):
        raw = raw.strip()
        if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
            return raw[1:-1]
        return raw

    def load(self):
        section = None
        if os.path.exists(self.config_file):
            with open(self.config_file, encoding="utf-8") as f:
                for line in f:
                    text = line.strip()
                    if not text or text.startswith("#"):
                        continue
                    if text.startswith("[") and text.endswith("]"):
                        section = text.strip("[]")
                        self.config.setdefault(section, {})
                    elif "=" in text and section is not None:
                        key, _, value = text.partition("=")
                        self.config[section][key.strip()] = self.unquote(value)
        for (sec, key), (kind, default) in self.DEFINITIONS.items():
            values = self.config.setdefault(sec, {})
            try:
                values[key] = kind(values.get(key, default))
            except ValueError:
                values[key] = kind(default)
        general, pms = self.config["General"], self.config["PMS"]
        if not pms["pms_uuid"]:
            pms["pms_uuid"] = uuid.uuid4().hex
        if not general["api_key"]:
            general["api_key"] = uuid.uuid4().hex
        if not general["jwt_secret"]:
            general["jwt_secret"] = uuid.uuid4().hex
        if pms["pms_token"] and pms["pms_ip"] and pms["pms_port"] and not pms["pms_ssl"]:
            pms["pms_url"] = f"http://{pms['pms_ip']}:{pms['pms_port']}"
            pms["pms_is_remote"] = 0
        self.write()

    def write(self):
        def text(value):
            value = str(value)
            return f'"{value}"' if value == "" or "," in value or "#" in value else value

        lines = []
        for section, values in self.config.items():
            lines.append(f"[{section}]")
            lines += [f"{key} = {text(value)}" for key, value in values.items()]
        # In place, as configobj's ConfigObj.write does (`open(self.filename, 'wb')`): the file keeps its mode.
        with open(self.config_file, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")

    def shutdown(self):
        with self.lock:
            self.write()

    @staticmethod
    def answer(result, message=None, data=None, status=200):
        return status, {"response": {"result": result, "message": message, "data": {} if data is None else data}}

    def handle(self, req):
        if req.path == "/status" and req.method in ("GET", "HEAD") and not req.query:
            return 200, {"result": "success", "message": "Ok"}
        if req.path != "/api/v2":
            raise HTTPError(404, "Not Found", "text/html")
        with self.lock:
            general = self.config["General"]
            commands = ("get_server_info", "get_settings")
            cmd = req.query.get("cmd")
            if not general["api_enabled"]:
                return self.answer("error", "API not enabled", status=400)
            if len(general["api_key"]) != 32:
                return self.answer("error", "API key not generated correctly", status=400)
            if "apikey" not in req.query:
                return self.answer("error", "Parameter apikey is required", status=400)
            if cmd is None:
                return self.answer("error", "Parameter cmd is required. Possible commands are: "
                                   + ", ".join(commands), status=400)
            if cmd not in commands:
                return self.answer("error", f"Unknown command: {cmd}. Possible commands are: "
                                   + ", ".join(sorted(commands)), status=400)
            if req.query["apikey"] != general["api_key"]:
                return self.answer("error", "Invalid apikey", status=400)
            if cmd == "get_server_info":
                pms = self.config["PMS"]
                keys = ("pms_version", "pms_platform", "pms_ip", "pms_port", "pms_ssl", "pms_url", "pms_url_manual",
                        "pms_identifier", "pms_plexpass")
                data = {key: pms[key] for key in keys}
                data["pms_name"] = pms["pms_name_override"] or pms["pms_name"]
                return self.answer("success", data=data)
            settings = {
                section: {k: (None if k in self.DO_NOT_DOWNLOAD else v) for k, v in values.items()}
                for section, values in self.config.items()
            }
            wanted = req.query.get("key")
            if wanted:
                if wanted not in settings:
                    return self.answer("error", status=400)
                return self.answer("success", data=settings[wanted])
            return self.answer("success", data=settings)


# ---- Plex /identity (the one Plex call Tautulli's wiring makes) ------------------------------------------------------


class PlexIdentityFake:
    """GET /identity, unauthenticated: MediaContainer with machineIdentifier (LukeHagar/plex-api-spec; the linuxserver
    and official images' healthchecks call it without a token). JSON when asked with Accept: application/json."""

    def __init__(self, machine_identifier):
        self.machine_identifier = machine_identifier

    def handle(self, req):
        if req.path != "/identity" or req.method != "GET":
            raise HTTPError(401, "<html><head><title>Unauthorized</title></head></html>", "text/html")
        container = {"size": 0, "claimed": True, "machineIdentifier": self.machine_identifier,
                     "version": "1.43.3.10828-00f62d37d"}
        if "application/json" in (req.headers.get("Accept") or ""):
            return 200, {"MediaContainer": container}
        xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<MediaContainer size="0" claimed="1" machineIdentifier="'
               + self.machine_identifier + '" version="1.43.3.10828-00f62d37d">\n</MediaContainer>\n')
        raise HTTPError(200, xml, "text/xml")


# ---- Plex Media Server 1.43.3 -------------------------------------------------------------------------------------


class PlexFake:
    """Plex Media Server's identity and library sections, where `mediaserver wire` and Seerr call it.

    PMS is closed source: the contract is read from the community OpenAPI spec (LukeHagar/plex-api-spec
    `plex-api-spec.yaml`: `/identity` anonymous, the `token` scheme in the X-Plex-Token header, answers as XML unless
    the client accepts application/json, `LibrarySection` with `key`, `title`, `type`, `agent`, `scanner`,
    `language`, `Location[{id, path}]`), and from the clients that call it: pkkid/python-plexapi
    `plexapi/library.py` (`Library.add`: POST /library/sections?name&type&agent&scanner&language&location, one
    `location` per folder; `tools/plex-bootstraptest.py` makes `movie` sections with `tv.plex.agents.movie` /
    `Plex Movie` and `show` sections with `tv.plex.agents.series` / `Plex TV Series`, language `en-US`; issue #1348:
    language `en` is refused with 400 "'language' is invalid") and seerr-team/seerr v3.1.0 `server/api/plexapi.ts`
    (GET / for machineIdentifier and friendlyName, GET /library/sections → MediaContainer.Directory).

    Every path but /identity needs the owner's token (header or X-Plex-Token query parameter), else 401 with an
    HTML body. An empty list has no Directory member, as PMS leaves out empty child arrays.

    Section creation refuses with 400 (plex-api-spec `addSection`: 400 "Section cannot be created due to bad
    parameters in request") what the evidence says PMS refuses, and takes what it says PMS takes:
    - `name`, `type`, `agent` and `language` are required (the spec); `type` is the name (`movie`, as python-plexapi
      sends it) or the spec's integer; the agent must be one of that type's (python-plexapi `Library.add` docs).
    - `language`: with one of the current agents (`tv.plex.agents.movie`, `.series`, `.music`) a locale such as
      `en-US`; PMS 1.32.8 refused `en` with "'language' is invalid" (issue #1348). The legacy agents and the
      "none" agents took a bare `en` or `xn` (python-plexapi tests: `com.plexapp.agents.imdb` with `en` before
      617206e8, `com.plexapp.agents.none` with `xn`; `tools/plex-bootstraptest.py` photos with `en`).
    - `location` is optional: the spec marks it so, and python-plexapi's own tests made a section without one
      against a real PMS (before 617206e8). Each folder given must exist under --fs-root (the container's view).
      That PMS refuses a folder it cannot see is this fake's assumption: python-plexapi checks folders itself
      through /services/browse before it asks (since 617206e8, PR #837), so no public client shows PMS's answer.
    - `scanner`: the spec marks it optional, but what PMS then picks is not public; the fake asks for one of the
      type's scanners (`mediaserver wire` always sends one).
    Unknown agents, scanners, types and languages are refused with the parameter named in the HTML body.
    """

    TYPES = {"1": "movie", "2": "show", "8": "artist", "13": "photo"}
    AGENTS = {
        "movie": ({"tv.plex.agents.movie", "com.plexapp.agents.imdb", "com.plexapp.agents.themoviedb",
                   "tv.plex.agents.none", "com.plexapp.agents.none"},
                  {"Plex Movie", "Plex Movie Scanner", "Plex Video Files Scanner", "Plex Video Files"}),
        "show": ({"tv.plex.agents.series", "com.plexapp.agents.thetvdb", "com.plexapp.agents.themoviedb",
                  "tv.plex.agents.none", "com.plexapp.agents.none"},
                 {"Plex TV Series", "Plex Series Scanner"}),
        "artist": ({"tv.plex.agents.music", "com.plexapp.agents.lastfm", "tv.plex.agents.none",
                    "com.plexapp.agents.none"}, {"Plex Music", "Plex Music Scanner"}),
        "photo": ({"com.plexapp.agents.none"}, {"Plex Photo Scanner"}),
    }
    VERSION = "1.43.3.10828-00f62d37d"

    def __init__(self, token, fs_root="/", machine=None):
        self.token = token
        self.fs_root = fs_root
        self.lock = threading.Lock()
        self.machine = machine or uuid.uuid4().hex
        self.sections = []
        self.next_key = 1
        self.next_location = 1

    @staticmethod
    def html(status, title):
        return HTTPError(status, f"<html><head><title>{title}</title></head><body><h1>{status} {title}</h1>"
                                 "</body></html>", "text/html")

    def handle(self, req):
        with self.lock:
            status, container = self.route(req)
        if "application/json" in (req.headers.get("Accept") or ""):
            return status, {"MediaContainer": container}
        return status, PlexXML(container)

    def route(self, req):
        p, m = req.path, req.method
        if p == "/identity" and m == "GET":
            return 200, {"size": 0, "claimed": self.token is not None, "machineIdentifier": self.machine,
                         "version": self.VERSION}
        given = req.headers.get("X-Plex-Token") or req.query.get("x-plex-token")
        if not self.token or given != self.token:
            raise self.html(401, "Unauthorized")
        if p == "/" and m == "GET":
            return 200, {"size": 0, "friendlyName": "mediaserver", "machineIdentifier": self.machine,
                         "version": self.VERSION, "claimed": True, "myPlex": True}
        if p == "/library/sections" and m == "GET":
            container = {"size": len(self.sections), "allowSync": False, "title1": "Plex Library"}
            if self.sections:
                container["Directory"] = copy.deepcopy(self.sections)
            return 200, container
        if p == "/library/sections" and m == "POST":
            section = self.add_section(req)
            return 200, {"size": 1, "Directory": [copy.deepcopy(section)]}
        raise self.html(404, "Not Found")

    def add_section(self, req):
        # Every value of a repeated parameter (one `location` per folder), names as sent.
        query = parse_qs(urlsplit(req.raw_path).query, keep_blank_values=True)

        def one(name):
            return (query.get(name) or [""])[-1]

        kind = self.TYPES.get(one("type"), one("type"))
        name, agent, scanner, language = one("name"), one("agent"), one("scanner"), one("language")
        locations = query.get("location") or []
        agents, scanners = self.AGENTS.get(kind, (set(), set()))
        current_agent = agent.startswith("tv.plex.agents.") and agent != "tv.plex.agents.none"
        locale = len(language) == 5 and language[2] == "-" and language[:2].isalpha() and language[3:].isalpha()
        problems = [
            ("name", not name.strip()),
            ("type", kind not in self.AGENTS),
            ("agent", agent not in agents),
            ("scanner", scanner not in scanners),
            ("language", not language or (current_agent and not locale)),
            ("location", not all(os.path.isdir(os.path.join(self.fs_root, x.lstrip("/"))) for x in locations)),
        ]
        bad = [field for field, wrong in problems if wrong]
        if bad:
            raise HTTPError(400, f"<html><head><title>Bad Request</title></head><body><h1>400 Bad Request</h1>"
                                 f"'{bad[0]}' is invalid</body></html>", "text/html")
        now = int(datetime.datetime.now(datetime.timezone.utc).timestamp())
        section = {"allowSync": True, "art": f"/:/resources/{kind}-fanart.jpg", "filters": True,
                   "refreshing": False, "thumb": f"/:/resources/{kind}.png", "key": str(self.next_key),
                   "type": kind, "title": name, "agent": agent, "scanner": scanner, "language": language,
                   "uuid": str(uuid.uuid4()), "updatedAt": now, "createdAt": now, "scannedAt": now, "content": True,
                   "directory": True, "contentChangedAt": 0, "hidden": 0, "Location": []}
        self.next_key += 1
        for path in locations:
            section["Location"].append({"id": self.next_location, "path": path})
            self.next_location += 1
        self.sections.append(section)
        return section


class PlexXML(str):
    """A MediaContainer as PMS writes it without `Accept: application/json`: members as attributes, lists of objects
    as child elements named by the member (Directory, Location)."""

    content_type = "text/xml"

    def __new__(cls, container):
        from xml.sax.saxutils import quoteattr

        def element(tag, value):
            attributes = "".join(f" {k}={quoteattr(str(int(v) if isinstance(v, bool) else v))}"
                                 for k, v in value.items() if not isinstance(v, list))
            children = "".join(element(k, item) for k, items in value.items() if isinstance(items, list)
                               for item in items)
            return f"<{tag}{attributes}>{children}</{tag}>" if children else f"<{tag}{attributes}/>"

        return super().__new__(cls, '<?xml version="1.0" encoding="UTF-8"?>\n' + element("MediaContainer", container))


# ---- SABnzbd 5.0.1: news servers (mediaserver wire's Usenet provider) ----------------------------------------------


class SabnzbdFake:
    """SABnzbd's /api for its news servers, as sabnzbd/sabnzbd 5.0.1 answers it.

    Parameters come from the query and from a form body alike (CherryPy merges both into the handler's kwargs), names
    matched with case. Before any mode, `check_hostname` (sabnzbd/interface.py) refuses a Host header that is not an
    IP address, `localhost` or in host_whitelist with HTTP 403 and a text body; then `check_apikey` answers 403
    `API Key Required` without `apikey` and `API Key Incorrect` with a wrong one (modes version and auth are free).
    Answers are `report` (sabnzbd/api.py): JSON, errors as HTTP 200 {"status": false, "error": text}.

    Modes served, the ones `mediaserver wire` calls: get_config (`get_dconfig`: {"config": {}} while the servers
    section does not exist, else {"config": {"servers": [...]}}, passwords as ten `*`); set_config with
    section=servers (`handle_server_api`: keyword or name; adds the server or sets the given fields; answers the
    server as get_config); config&name=test_server (`test_nntp_server_dict`: connects to the news server and logs
    in, answering {"value": {"result", "message"}} with SABnzbd's messages). Any other mode answers as SABnzbd's
    `_api_undefined`: {"status": false, "error": "not implemented"}. `config_lock` answers {"status": false,
    "error": "Configuration locked"}.
    """

    WHITELIST = ("sabnzbd",)
    # ConfigServer (sabnzbd/config.py): keyword → (kind, default); kinds as its Option classes convert values.
    SERVER_FIELDS = {
        "displayname": ("str", ""), "host": ("host", ""), "port": ("int", 119), "timeout": ("int", 60),
        "username": ("str", ""), "password": ("password", ""), "connections": ("int", 1), "ssl": ("bool", 0),
        "ssl_verify": ("int", 3), "ssl_ciphers": ("str", ""), "enable": ("bool", 1), "required": ("bool", 0),
        "optional": ("bool", 0), "pipelining_requests": ("int", 2), "retention": ("int", 0),
        "expire_date": ("str", ""), "quota": ("str", ""), "usage_at_start": ("int", 0), "priority": ("int", 0),
        "notes": ("str", ""),
    }
    RANGES = {"port": (0, 2 ** 16 - 1), "timeout": (20, 240), "connections": (0, 500), "pipelining_requests": (1, 20),
              "priority": (0, 99)}

    def __init__(self, api_key, resolve=None, config_lock=False):
        self.api_key = api_key
        self.resolve = resolve or {}
        self.config_lock = config_lock
        self.lock = threading.Lock()
        self.servers = None  # no [servers] section until the first server is made

    @staticmethod
    def int_conv(value, default=0):
        # sabnzbd/misc.py int_conv: int() or the default.
        try:
            return int(value)
        except (TypeError, ValueError):
            return default

    def convert(self, key, value, current):
        kind, default = self.SERVER_FIELDS[key]
        if kind == "password":
            # OptionPassword.set: an all-`*` value (the masked one) keeps the stored password.
            return value if value == "" or value.strip("*") else current
        if kind == "bool":
            return 1 if self.int_conv(value) else 0
        if kind == "int":
            number = self.int_conv(value, default)
            low, high = self.RANGES.get(key, (None, None))
            if high is not None and number > high:
                number = high
            elif low is not None and number < low:
                number = low
            return number
        if kind == "host":
            return value.lower().strip()
        return value

    def public(self, name, server):
        data = {"name": name}
        for key in self.SERVER_FIELDS:
            data[key] = server[key]
        data["password"] = "*" * 10 if server["password"] else ""
        return data

    @staticmethod
    def params(req):
        # CherryPy: query string and urlencoded body merged, names with case, the last value of a repeated name.
        split = urlsplit(req.raw_path)
        merged = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        if "x-www-form-urlencoded" in (req.headers.get("Content-Type") or "") and req.raw_body:
            body = parse_qs(req.raw_body.decode("utf-8"), keep_blank_values=True)
            merged.update({k: v[-1] for k, v in body.items()})
        return merged

    def handle(self, req):
        if req.path != "/api":
            raise HTTPError(404, "Not Found", "text/html")
        host = (req.headers.get("Host") or "").lower()
        host = host.rsplit(":", 1)[0] if host.rsplit(":", 1)[-1].isdigit() else host
        is_ip = all(p.isdigit() for p in host.split(".")) and host.count(".") == 3 or host.startswith("[")
        if not (host == "localhost" or is_ip or host in self.WHITELIST or host.endswith((".local", ".local."))):
            raise HTTPError(403, "Access denied - Hostname verification failed: https://sabnzbd.org/hostname-check",
                            "text/html")
        p = self.params(req)
        mode = p.get("mode", "")
        if not p.get("apikey"):
            raise HTTPError(403, "API Key Required", "text/html")
        if p["apikey"] != self.api_key:
            raise HTTPError(403, "API Key Incorrect", "text/html")
        with self.lock:
            if mode == "get_config":
                return 200, self.get_config(p.get("section"), p.get("keyword"))
            if mode in ("set_config", "config") and self.config_lock:
                return 200, {"status": False, "error": "Configuration locked"}
            if mode == "set_config" and p.get("section") == "servers":
                name = (p.get("keyword") or p.get("name") or "").strip("[]")
                if name:
                    server = self.servers.get(name) if self.servers is not None else None
                    if server is None:
                        server = {key: default for key, (_, default) in self.SERVER_FIELDS.items()}
                        if self.servers is None:
                            self.servers = {}
                        self.servers[name] = server
                    for key in self.SERVER_FIELDS:
                        if key in p:
                            server[key] = self.convert(key, p[key], server[key])
                    if not server["displayname"]:
                        server["displayname"] = name
                return 200, self.get_config("servers", name)
        if mode == "config" and p.get("name") == "test_server":
            if self.config_lock:
                return 200, {"status": False, "error": "Configuration locked"}
            result, message = self.test_server(p)
            return 200, {"value": {"result": result, "message": message}}
        return 200, {"status": False, "error": "not implemented"}

    def get_config(self, section, keyword):
        if section != "servers" or self.servers is None:
            return {"config": {}}
        if keyword:
            server = self.servers.get(keyword)
            return {"config": {"servers": [self.public(keyword, server)]}} if server else {"config": {}}
        return {"config": {"servers": [self.public(name, server) for name, server in self.servers.items()]}}

    def connect(self, host, port, timeout):
        target = self.resolve.get(f"{host}:{port}")
        address = target.rsplit(":", 1) if target else (host, port)
        import socket
        return socket.create_connection((address[0], int(address[1])), timeout=timeout)

    def test_server(self, p):
        """test_nntp_server_dict, with SABnzbd's messages; the news server is reached through --resolve."""
        import socket
        import ssl as ssl_module
        host = p.get("host", "").strip()
        port = self.int_conv(p.get("port", 0))
        username = p.get("username", "").strip()
        password = p.get("password", "").strip()
        server = p.get("server", "").strip()
        connections = self.int_conv(p.get("connections", 0))
        timeout = self.int_conv(p.get("timeout", 5)) or 5
        use_ssl = self.int_conv(p.get("ssl", 0))
        ssl_verify = self.int_conv(p.get("ssl_verify", 3))
        if not host:
            return False, "The hostname is not set."
        if not connections:
            return False, "There are no connections set. Please set at least one connection."
        if not port:
            port = 563 if use_ssl else 119
        if "*" in password and not password.strip("*"):
            with self.lock:
                stored = (self.servers or {}).get(server)
            if not stored:
                return False, "Password masked in ******, please re-enter"
            password = stored["password"]
        try:
            sock = self.connect(host, port, timeout)
        except OSError:
            working = {}
            for other in (80, 119, 563):
                if other != port:
                    try:
                        self.connect(host, other, 5).close()
                        working[other] = True
                    except OSError:
                        working[other] = False
            if not working.get(119) and not working.get(563) and working.get(80):
                return False, (f"Could not connect to {host} on port {port}. It appears that {host} operates as a web"
                               " server (port 80), possibly an indexer, not a usenet server. You have to fill a"
                               " usenet server.")
            if port not in (119, 563):
                if working.get(563):
                    return False, (f"Could not connect to {host} on port {port}. Use the default usenet settings:"
                                   " port 563 and SSL turned on")
                if working.get(119):
                    return False, (f"Could not connect to {host} on port {port}. Use the default usenet settings:"
                                   " port 119 and SSL turned off")
            return False, f'Server address "{host}:{port}" is not valid.'
        code, message = 0, ""
        try:
            if use_ssl:
                context = ssl_module.create_default_context()
                if ssl_verify == 0:
                    context.check_hostname = False
                    context.verify_mode = ssl_module.CERT_NONE
                sock = context.wrap_socket(sock, server_hostname=host)
            lines = sock.makefile("rb")

            def command(text=None):
                if text is not None:
                    sock.sendall(text.encode() + b"\r\n")
                line = lines.readline().decode("utf-8", "replace").rstrip("\r\n")
                return self.int_conv(line[:3]), line

            code, message = command()
            if code not in (400, 500, 502) and (username or password):
                code, message = command(f"authinfo user {username}")
                if code == 381:
                    code, message = command(f"authinfo pass {password}")
            elif code not in (400, 500, 502):
                code, message = command("ARTICLE <test@home>")
        except socket.timeout:
            if port != 119 and not use_ssl:
                return False, "Timed out: Try enabling SSL or connecting on a different port."
            return False, "Timed out"
        except OSError as err:
            if any(clue in str(err).lower() for clue in ("unknown protocol", "wrong version number")):
                return False, "Unknown SSL protocol: Try disabling SSL or connecting on a different port."
            return False, str(err)
        finally:
            sock.close()
        if code == 480:
            return False, "Server requires username and password."
        if code and (code < 300 or code in (411, 423, 430)):
            return True, "Connection Successful!"
        lowered = message.lower()
        if code == 502 or any(c in lowered for c in ("username", "password", "invalid", "authen", "access denied")):
            return False, "Authentication failed, check username/password."
        if any(c in lowered for c in ("exceed", "connections", "too many", "threads", "limit")) and \
                "download" not in lowered and "byte" not in lowered:
            return False, "Too many connections, please pause downloading or try again later"
        return False, f"Could not determine connection result ({message})"


class NewsServer:
    """A news server's greeting and login (RFC 3977 greeting 200; RFC 4643 AUTHINFO USER/PASS: 381, 281, 481, 482),
    the other end of SABnzbd's test_server. ARTICLE answers 480 before a login and 430 after one."""

    def __init__(self, account):
        self.username, _, self.password = (account or ":").partition(":")

    def serve(self, rfile, wfile):
        def say(line):
            wfile.write(line.encode() + b"\r\n")
            wfile.flush()

        say("200 stand-in news server ready (posting allowed)")
        user, authenticated = None, False
        for raw in rfile:
            words = raw.decode("utf-8", "replace").rstrip("\r\n").split(" ", 2)
            verb = words[0].upper()
            if verb == "QUIT":
                say("205 closing connection")
                return
            if verb == "AUTHINFO" and len(words) == 3 and words[1].upper() == "USER":
                user = words[2]
                say("381 Password required")
            elif verb == "AUTHINFO" and len(words) == 3 and words[1].upper() == "PASS":
                if user is None:
                    say("482 Authentication commands issued out of sequence")
                elif user == self.username and words[2] == self.password:
                    authenticated = True
                    say("281 Authentication accepted")
                else:
                    say("481 Authentication failed")
            elif verb == "ARTICLE":
                say("430 No such article" if authenticated else "480 Authentication required")
            else:
                say("500 Unknown command")


# ---- server ---------------------------------------------------------------------------------------------------------


def make_fake(app, api_key=None, fs_root="/", resolve=None, plex_tv="https://plex.tv", config=None, machine=None,
              config_dir=None):
    if app in ("sonarr", "radarr", "prowlarr"):
        return ServarrFake(app, api_key, fs_root)
    if app == "newznab":
        return NewznabFake(api_key)
    if app == "jellyfin":
        return JellyfinFake(fs_root)
    if app == "seerr":
        return SeerrFake(api_key, resolve, plex_tv, config_dir)
    if app == "plextv":
        return PlexTvFake(api_key)
    if app == "tautulli":
        return TautulliFake(config or os.path.join(fs_root, "config.ini"))
    if app == "plex-identity":
        return PlexIdentityFake(api_key or uuid.uuid4().hex)
    if app == "plex":
        return PlexFake(api_key, fs_root, machine)
    if app == "sabnzbd":
        return SabnzbdFake(api_key, resolve)
    return None


def make_handler(fake, quiet=True):
    class Handler(BaseHTTPRequestHandler):
        server_version = "fake"
        protocol_version = "HTTP/1.1"

        def _serve(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            req = Request(self.command, self.path, self.headers, body)
            content_type = "application/json"
            try:
                status, payload = fake.handle(req)
                content_type = getattr(payload, "content_type", content_type)
            except HTTPError as error:
                status, payload, content_type = error.status, error.body, error.content_type
            if payload is None:
                data = b""
            elif isinstance(payload, str) and content_type != "application/json":
                data = payload.encode()
            elif isinstance(payload, str):
                data, content_type = payload.encode(), "text/plain"
            else:
                data = json.dumps(payload).encode()
            self.send_response(status)
            if data:
                self.send_header("Content-Type", content_type + "; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

        def log_message(self, fmt, *args):
            if not quiet:
                print(f"fake[{type(fake).__name__}] {fmt % args}", file=sys.stderr, flush=True)

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", required=True, choices=["sonarr", "radarr", "prowlarr", "jellyfin", "seerr", "plextv",
                                                                "tautulli", "plex-identity", "plex", "sabnzbd",
                                                                "newsserver", "newznab"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--api-key", default=os.environ.get("FAKE_API_KEY"))
    parser.add_argument("--fs-root", default="/")
    parser.add_argument("--resolve", action="append", default=[], metavar="HOST:PORT=ADDR:PORT",
                        help="reach HOST:PORT at ADDR:PORT (the test suite has no media_net names)")
    parser.add_argument("--plex-tv", default="https://plex.tv", help="where Seerr's fake asks plex.tv")
    parser.add_argument("--config", help="Tautulli's config.ini (default: FS_ROOT/config.ini)")
    parser.add_argument("--machine-id", help="Plex's machineIdentifier (default: a random one)")
    parser.add_argument("--config-dir", help="Seerr's config directory (/app/config in the image): the fake keeps"
                        " settings.json and its database there across restarts, as Seerr does")
    parser.add_argument("--account", help="the news server stand-in's USER:PASSWORD (--app newsserver)")
    parser.add_argument("--exit-on-eof", action="store_true",
                        help="exit when stdin closes (how the test suite stops it; signals can be masked there)")
    args = parser.parse_args()
    resolve = dict(item.split("=", 1) for item in args.resolve)
    if args.app == "newsserver":
        serve_news(args)
        return
    fake = make_fake(args.app, args.api_key, args.fs_root, resolve, args.plex_tv, args.config, args.machine_id,
                     args.config_dir)
    # An app that saves its state when it stops (Tautulli) does so on SIGTERM and when stdin closes.
    def stop(*_):
        if hasattr(fake, "shutdown"):
            fake.shutdown()
        os._exit(0)
    signal.signal(signal.SIGTERM, stop)
    ThreadingHTTPServer.allow_reuse_address = True
    ThreadingHTTPServer.daemon_threads = True
    httpd = ThreadingHTTPServer((args.bind, args.port), make_handler(fake))
    # The ready line of every fixture server (scripts/fixtures/fixture_server.py).
    print("ready", httpd.server_address[1], flush=True)
    if args.exit_on_eof:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        sys.stdin.read()
        stop()
    httpd.serve_forever()


def serve_news(args):
    import socketserver

    news = NewsServer(args.account)

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            news.serve(self.rfile, self.wfile)

    socketserver.ThreadingTCPServer.allow_reuse_address = True
    socketserver.ThreadingTCPServer.daemon_threads = True
    server = socketserver.ThreadingTCPServer((args.bind, args.port), Handler)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    print("ready", server.server_address[1], flush=True)
    if args.exit_on_eof:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        sys.stdin.read()
        os._exit(0)
    server.serve_forever()


if __name__ == "__main__":
    main()
