"""Logging in and out, and the one-time setup link that creates the first admin."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from monitor import clock
from monitor.errors import DeskError
from monitor.storage.users import setup_token_valid, use_setup_token, verify_login
from monitor.web.desk import Desk, get_desk, reader
from monitor.web.security import CSRF_FIELD, LOGIN_COOKIE, SESSION_COOKIE, Caller

router = APIRouter()


def _next(target: str | None) -> str:
    """Where to go after logging in: a path of this site only (never another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return "/"
    return target


def _login_form(request: Request, desk: Desk, context: dict[str, object], status: int = 200) -> Response:
    """The login page, its form carrying the token of the login cookie (the one the browser holds, while it
    is still valid, so that two open login tabs both work)."""
    held = request.cookies.get(LOGIN_COOKIE)
    token = held if held and desk.sessions.login_token_valid(held, held) else desk.sessions.login_token()
    context = {**context, "login_token": token}
    response = desk.templates.TemplateResponse(request, "login.html", context, status)
    desk.sessions.set_login_cookie(response, token)
    return response


@router.get("/login")
def login_page(request: Request, next: str = "/", desk: Desk = Depends(get_desk)) -> Response:
    return _login_form(request, desk, {"next": _next(next), "error": None})


@router.post("/login")
def login(
    request: Request,
    name: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
    csrf_token: str = Form("", alias=CSRF_FIELD),
    desk: Desk = Depends(get_desk),
) -> Response:
    client = request.client.host if request.client else "?"
    keys = (f"user:{name.strip().lower()}", f"address:{client}")
    context: dict[str, object] = {"next": _next(next), "name": name}
    if not desk.sessions.login_token_valid(request.cookies.get(LOGIN_COOKIE), csrf_token):
        error = "the login form expired or came from another site: try again"
        return _login_form(request, desk, {**context, "error": error}, 403)
    if desk.throttle.blocked(*keys):
        error = "too many failed logins: wait 15 minutes and try again"
        return _login_form(request, desk, {**context, "error": error}, 429)
    with desk.database.session() as session:
        account = verify_login(session, name, password)
        session.commit()
    if account is None:
        desk.throttle.failed(*keys)
        error = "wrong name or password"
        return _login_form(request, desk, {**context, "error": error}, 401)
    desk.throttle.succeeded(*keys)
    response = RedirectResponse(_next(next), status_code=303)
    desk.sessions.set_cookie(response, desk.sessions.cookie_for(account)[0])
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(caller: Caller = Depends(reader)) -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/setup/{token}")
def setup_page(request: Request, token: str, desk: Desk = Depends(get_desk)) -> Response:
    with desk.database.read_session() as session:
        valid = setup_token_valid(session, token)
    context = {"token": token, "valid": valid, "error": None}
    return desk.templates.TemplateResponse(request, "setup.html", context, 200 if valid else 404)


@router.post("/setup/{token}")
def setup(
    request: Request,
    token: str,
    name: str = Form(""),
    password: str = Form(""),
    repeat: str = Form(""),
    desk: Desk = Depends(get_desk),
) -> Response:
    try:
        if password != repeat:
            raise DeskError("the two passwords differ")
        with desk.database.session() as session:
            account = use_setup_token(session, token, name, password, now=clock.now())
            session.commit()
    except DeskError as error:
        context = {"token": token, "valid": True, "error": str(error), "name": name}
        return desk.templates.TemplateResponse(request, "setup.html", context, 400)
    response = RedirectResponse("/", status_code=303)
    desk.sessions.set_cookie(response, desk.sessions.cookie_for(account)[0])
    return response
