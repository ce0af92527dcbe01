"""Settings for shop.example.com."""
from .base import *  # noqa: F401,F403

ALLOWED_HOSTS = ["shop.example.com"]

DATABASES["default"]["HOST"] = "db.internal"
DATABASES["default"]["CONN_MAX_AGE"] = 60

STATIC_ROOT = BASE_DIR / "staticfiles"

ADMINS = [("Shop operations", "ops@shop.example.com")]
SERVER_EMAIL = "django@shop.example.com"
