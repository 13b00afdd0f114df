"""Flask extensions, created unbound and attached in create_app()."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from htmx_flask import Htmx

from citizen_app.models.base import Base

db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
htmx = Htmx()
# No default limits: each sensitive endpoint (sign-in, token links) names its own.
# When the shared store (Redis) is away, the limits are counted in this process's memory until it is back
# (checked again after 1, 2, 4 … seconds), so sign-in keeps working and is still limited. Redis is given
# up on quickly rather than holding the request.
limiter = Limiter(
    key_func=get_remote_address,
    default_limits=[],
    in_memory_fallback_enabled=True,
    storage_options={"socket_connect_timeout": 2, "socket_timeout": 2},
)
