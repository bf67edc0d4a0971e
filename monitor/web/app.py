"""The desk's application: pages, the API, static files, secure headers and one way to show errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from monitor import __version__
from monitor.config import WatchConfig
from monitor.errors import ConfigError, DeskError, NotFound
from monitor.settings import Settings
from monitor.storage.database import Database
from monitor.storage.users import shared_secret
from monitor.web import exports, ops
from monitor.web.api import rules as rules_api
from monitor.web.api import v1
from monitor.web.desk import ConfigView, Desk, PollerStatus
from monitor.web.pages import article, auth, hits, overview, rules, sources
from monitor.web.security import SECURE_HEADERS, AuthError, LoginThrottle, Sessions
from monitor.web.templating import build_templates
from monitor.workshop.files import Conflict

STATIC_DIR = Path(__file__).parent / "static"


def create_app(
    database: Database,
    settings: Settings,
    config_dir: Path,
    *,
    config: WatchConfig | None = None,
    pollers: PollerStatus | None = None,
) -> FastAPI:
    """The desk over an open database; `pollers` tells /readyz about the pollers of this process."""
    web = settings.web
    if web.secret_key is not None:
        secret = web.secret_key.get_secret_value()
    else:
        with database.session() as session:
            secret = shared_secret(session, "session_key")
            session.commit()
    app = FastAPI(
        title="monitor",
        version=__version__,
        description="The desk of monitor: the hit log, triage and search, as a REST API.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.desk = Desk(
        database=database,
        settings=settings,
        config=ConfigView(config_dir, config),
        sessions=Sessions(secret, web.session_lifetime, secure=web.base_url.startswith("https://")),
        templates=build_templates(),
        throttle=LoginThrottle(web.login_attempts),
        pollers=pollers or (lambda: {}),
    )
    routers: tuple[APIRouter, ...] = (auth.router, hits.router, article.router, exports.router)
    routers += (overview.router, sources.router, rules.router)
    for router in (*routers, ops.router):
        app.include_router(router)
    app.include_router(v1.router)
    app.include_router(rules_api.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.middleware("http")(ops.timed)
    app.middleware("http")(_secure_headers)
    _error_handlers(app)
    return app


async def _secure_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    response = await call_next(request)
    response.headers.update(SECURE_HEADERS)
    if not request.url.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path.startswith("/feeds/")


def _error(request: Request, status: int, message: str) -> Response:
    """A JSON error for the API, an HTML page (or the login page) for people."""
    if _wants_json(request):
        return JSONResponse({"error": message}, status_code=status)
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?{_next(target)}", status_code=303)
    desk: Desk = request.app.state.desk
    context = {"status": status, "message": message, "caller": None}
    return desk.templates.TemplateResponse(request, "error.html", context, status)


def _next(target: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"next": target})


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AuthError)
    async def auth_error(request: Request, error: AuthError) -> Response:
        return _error(request, error.status, error.message)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, error: NotFound) -> Response:
        return _error(request, 404, str(error))

    @app.exception_handler(Conflict)
    async def conflict(request: Request, error: Conflict) -> Response:
        return _error(request, 409, str(error))

    @app.exception_handler(ConfigError)
    async def config_problems(request: Request, error: ConfigError) -> Response:
        found = "; ".join(problem.render() for problem in error.problems)
        return _error(request, 400, f"nothing was saved: {found}")

    @app.exception_handler(DeskError)
    async def refused(request: Request, error: DeskError) -> Response:
        return _error(request, 400, str(error))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()))
        return _error(request, 422, f"{where}: {first.get('msg', 'invalid request')}")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        return _error(request, error.status_code, str(error.detail))
