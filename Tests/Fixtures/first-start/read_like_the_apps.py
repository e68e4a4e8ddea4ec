"""Reads the files `mediaserver up` seeds with the libraries and calls the apps themselves use, and prints what
each app would see as JSON. Writes a user's sabnzbd.ini the way SABnzbd's own writer does.

  read_like_the_apps.py sabnzbd PATH    configobj.ConfigObj(infile=PATH, default_encoding="utf-8", encoding="utf-8")
                                        (sabnzbd/config.py _read_config); lists as OptionList.set takes them
  read_like_the_apps.py tautulli PATH [PASSWORD]   ConfigObj(PATH, encoding="utf-8") (Tautulli plexpy/config.py
                                        Config); with PASSWORD, whether the login accepts it: the stored
                                        http_password read as Tautulli's PBKDF2$function$rounds$salt$key digest
                                        (lib/hashing_passwords.py check_hash) and checked with hashlib
  read_like_the_apps.py bazarr PATH     Dynaconf(settings_file=PATH, core_loaders=["YAML"],
                                        apply_default_on_none=True) and validators of the seeded keys' types
                                        (bazarr/app/config.py)
  read_like_the_apps.py write-sabnzbd PATH KEY   a sabnzbd.ini as SABnzbd writes it (CFG_OBJ.write())
"""
import json
import sys

import configobj


def as_list(value):
    # sabnzbd/config.py OptionList.set: a string without quotes or commas is split on whitespace.
    if isinstance(value, list):
        return value
    return value.split()


def sabnzbd(path):
    cfg = configobj.ConfigObj(infile=path, default_encoding="utf-8", encoding="utf-8")
    misc = cfg["misc"]
    categories = {name: dict(section) for name, section in cfg.get("categories", {}).items()}
    return {
        "api_key": misc.get("api_key"),
        "nzb_key": misc.get("nzb_key"),
        "host_whitelist": as_list(misc.get("host_whitelist", [])),
        "download_dir": misc.get("download_dir"),
        "complete_dir": misc.get("complete_dir"),
        "categories": categories,
        "servers": sorted(cfg.get("servers", {}).keys()),
    }


def password_checks(password, digest):
    # The stored form, as Tautulli v2.17.1 lib/hashing_passwords.py defines it: the salt enters PBKDF2 as its
    # Base64 text; the derived key's length is that of the stored key.
    import base64
    import hashlib
    import hmac

    parts = digest.split("$")
    if len(parts) != 5 or parts[0] != "PBKDF2":
        return False
    _, function, rounds, salt, key = parts
    expected = base64.b64decode(key)
    derived = hashlib.pbkdf2_hmac(function, password.encode("utf-8"), salt.encode("utf-8"), int(rounds), len(expected))
    return hmac.compare_digest(derived, expected)


def tautulli(path, password=None):
    cfg = configobj.ConfigObj(path, encoding="utf-8")
    general = cfg["General"]
    pms = cfg.get("PMS", {})
    # plexpy/config.py _CONFIG_DEFINITIONS: API_KEY str, API_ENABLED int, FIRST_RUN_COMPLETE int, the PMS keys below.
    kinds = {"pms_ip": (str, "127.0.0.1"), "pms_port": (int, 32400), "pms_ssl": (int, 0), "pms_url": (str, ""),
             "pms_url_manual": (int, 0), "pms_is_remote": (int, 0), "pms_identifier": (str, ""),
             "pms_token": (str, "")}
    # HTTP_USERNAME and HTTP_PASSWORD str (default empty: no login), HTTP_HASHED_PASSWORD int (default 1).
    login = {"http_username": str(general.get("http_username", "")),
             "http_hashed_password": int(general.get("http_hashed_password", 1))}
    if password is not None:
        login["password_checks"] = password_checks(password, str(general.get("http_password", "")))
    return {"api_key": str(general.get("api_key", "")), "api_enabled": int(general.get("api_enabled", 1)),
            "first_run_complete": int(general.get("first_run_complete", 0)), **login,
            "pms": {key: kind(pms.get(key, default)) for key, (kind, default) in kinds.items()}}


def bazarr(path):
    from dynaconf import Dynaconf, Validator

    settings = Dynaconf(settings_file=path, core_loaders=["YAML"], apply_default_on_none=True)
    # The types bazarr/app/config.py declares for the keys we seed; a wrong type would be reset to its default.
    for name, kind in [
        ("auth.apikey", str),
        ("general.use_sonarr", bool),
        ("general.use_radarr", bool),
        ("sonarr.ip", str),
        ("sonarr.port", int),
        ("sonarr.base_url", str),
        ("sonarr.ssl", bool),
        ("sonarr.apikey", str),
        ("radarr.ip", str),
        ("radarr.port", int),
        ("radarr.base_url", str),
        ("radarr.ssl", bool),
        ("radarr.apikey", str),
    ]:
        settings.validators.register(Validator(name, must_exist=True, is_type_of=kind))
    settings.validators.validate_all()
    return {
        "apikey": settings.auth.apikey,
        "use_sonarr": settings.general.use_sonarr,
        "use_radarr": settings.general.use_radarr,
        "sonarr": {k: settings.sonarr[k] for k in ("ip", "port", "base_url", "ssl", "apikey")},
        "radarr": {k: settings.radarr[k] for k in ("ip", "port", "base_url", "ssl", "apikey")},
    }


def write_sabnzbd(path, key):
    cfg = configobj.ConfigObj(encoding="utf-8")
    cfg.filename = path
    cfg["__version__"] = "19"
    cfg["__encoding__"] = "utf-8"
    cfg["misc"] = {
        "api_key": key,
        "host_whitelist": ["mybox"],
        "download_dir": "Downloads/incomplete",
        "complete_dir": "Downloads/complete",
        "password": "",
    }
    cfg["logging"] = {"log_level": "1"}
    cfg["servers"] = {"news.example.com": {"host": "news.example.com", "port": "563", "ssl": "1"}}
    cfg["categories"] = {
        "*": {"name": "*", "order": "0", "pp": "3", "script": "None", "dir": "", "priority": "0"},
        "tv": {"name": "tv", "order": "2", "pp": "", "script": "Default", "dir": "", "priority": "-100"},
    }
    cfg.write()


if __name__ == "__main__":
    command, target = sys.argv[1], sys.argv[2]
    if command == "write-sabnzbd":
        write_sabnzbd(target, sys.argv[3])
    elif command == "tautulli":
        print(json.dumps(tautulli(target, *sys.argv[3:4])))
    else:
        print(json.dumps({"sabnzbd": sabnzbd, "tautulli": tautulli, "bazarr": bazarr}[command](target)))
