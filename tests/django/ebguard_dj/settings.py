"""Settings from DATABASE_URL, the same variable `ebguard migrate` reads, as on EB."""
import os
from urllib.parse import unquote, urlsplit

_url = urlsplit(os.environ["DATABASE_URL"])
_engines = {
    "postgres": "django.db.backends.postgresql",
    "postgresql": "django.db.backends.postgresql",
    "mysql": "django.db.backends.mysql",
    "mariadb": "django.db.backends.mysql",
}

if _url.scheme in ("mysql", "mariadb"):
    # PyMySQL stands in for mysqlclient (no C build). Django checks the mysqlclient
    # version it reports; old PyMySQL releases report 1.4.x, which Django 5 refuses.
    import pymysql

    if pymysql.version_info < (2, 2, 1):
        pymysql.version_info = (2, 2, 1, "final", 0)
    pymysql.install_as_MySQLdb()

DATABASES = {
    "default": {
        "ENGINE": _engines[_url.scheme],
        "NAME": _url.path.lstrip("/"),
        "USER": unquote(_url.username or ""),
        "PASSWORD": unquote(_url.password or ""),
        "HOST": _url.hostname or "",
        "PORT": str(_url.port or ""),
    }
}

SECRET_KEY = "ebguard-tests-only"
INSTALLED_APPS = ["slowapp"]
ROOT_URLCONF = "ebguard_dj.urls"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
