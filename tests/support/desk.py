"""A real desk for tests: a configuration over a local feed server, a database filled by a real poll, and
uvicorn serving the desk on an ephemeral port of 127.0.0.1."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from monitor import clock
from monitor.config import WatchConfig, load_config
from monitor.pipeline import run_cycle
from monitor.settings import Settings, build_settings
from monitor.storage import Database, open_database
from monitor.storage.users import add_user, create_token
from monitor.web.app import create_app
from monitor.web.server import DeskServer
from tests.support.feed_server import FeedServer
from tests.support.watch_config import rss

RULES = """\
rules:
  - name: drones
    query: shahed OR geran OR шахед OR шахеды OR дрон
    channels: [analysts]
  - name: korea
    query: corée OR korea OR корея OR самолёт
    channels: [analysts]
  - name: hostile
    query: payload
    channels: []
"""
PASSWORD = "correct horse battery"
ITEMS = [
    ("fr-1", "La Corée du Nord envoie des obus", "Les wagons de la Corée du Nord passent à Khasan."),
    ("fr-2", "Des drones Shahed assemblés en Russie", "L'usine d'Alabuga produit des Shahed."),
    ("ru-1", "Самолёт с грузом из Кореи", "Корея и Россия: самолёт приземлился в Хасане."),
    ("ru-2", "Шахеды над Харьковом", "Ночью шахеды атаковали город."),
    ("en-1", "Korea rail freight grows", "Freight trains cross from North Korea at Tumangang."),
    ("en-2", "Geran drones seen in Kherson", "Shahed and Geran drones were launched overnight."),
]
XSS_PAYLOADS = [
    "<script>window.__xss = 1</script>payload",
    '<img src=x onerror="window.__xss = 2">payload',
    '<a href="javascript:window.__xss=3">payload link</a>',
    '<svg onload="window.__xss = 4"><script>window.__xss=4</script></svg>payload',
    "payload <b onmouseover=window.__xss=5>unclosed <i>broken <div",
    "payload \u202egnp.exe\u202c bidi override",
    '"><script>window.__xss=6</script>payload',
    "payload {{ 7*7 }} {% raw %} ${7*7}",
]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def desk_feeds(server: FeedServer) -> dict[str, str]:
    """Serve the test feeds: multilingual news, and an XSS corpus (title and text hostile, escaped once in
    the XML so that the parsed entries hold the raw markup)."""
    hostile = [(f"x-{i}", _escape(p), _escape(p)) for i, p in enumerate(XSS_PAYLOADS)]
    return {
        "news": server.serve("/news.xml", rss(ITEMS)),
        "hostile": server.serve("/hostile.xml", rss(hostile)),
    }


def desk_config(directory: Path, sources: dict[str, str], *, channels: dict[str, str] | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    lines = ["sources:"]
    for name, url in sources.items():
        lines += [f"  - name: {name}", f"    url: {url}"]
    (directory / "sources.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (directory / "rules.yaml").write_text(RULES, encoding="utf-8")
    urls = {"analysts": "json://127.0.0.1:9/hook?token=s3cretvalue", **(channels or {})}
    lines = ["channels:"] + [f"  - name: {name}\n    urls: ['{url}']" for name, url in urls.items()]
    (directory / "channels.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (directory / "settings.yaml").write_text(
        "polling:\n  processes: 1\nfetch:\n  connect_timeout: 2\n  total_timeout: 5\n"
        "  allowed_networks: ['127.0.0.0/8']\n"
        "web:\n  address: 127.0.0.1:0\n",
        encoding="utf-8",
    )
    return directory


@dataclass
class DeskSite:
    """A running desk: its URL, database, and users (name → bearer token)."""

    url: str
    database: Database
    config_dir: Path
    server: DeskServer
    tokens: dict[str, str] = field(default_factory=dict)
    settings: Settings | None = None

    def stop(self) -> None:
        self.server.stop()
        self.database.dispose()

    def poll(self, names: list[str] | None = None) -> None:
        """Poll the sources now, as the service's next poll does: the configuration read again from its
        directory (the rules as saved since)."""
        assert self.settings is not None
        _poll(load_config(self.config_dir), self.settings, self.database, names)


def _poll(config: WatchConfig, settings: Settings, database: Database, names: list[str] | None) -> None:
    """One poll, in a thread of its own: the caller's thread may hold a running loop (Playwright's)."""
    with ThreadPoolExecutor(1) as executor:
        executor.submit(asyncio.run, run_cycle(config, settings, database, names=names)).result()


def start_site(database_url: str, config_dir: Path, *, users: bool = True, poll: bool = True) -> DeskSite:
    """Poll the configured feeds once into the database, then serve the desk."""
    config = load_config(config_dir)
    settings = build_settings(config.settings_values, {"database_url": database_url})
    database = open_database(database_url)
    if poll:
        _poll(config, settings, database, None)
    tokens: dict[str, str] = {}
    if users:
        with database.session() as session:
            for name, role in (("ada", "admin"), ("ana", "analyst"), ("vic", "viewer")):
                add_user(session, name, PASSWORD, role, now=clock.now())
                tokens[name] = create_token(session, name, "api", now=clock.now())
            session.commit()
    app = create_app(database, settings, config_dir, config=config)
    server = DeskServer(app, "127.0.0.1", 0).start()
    return DeskSite(f"http://127.0.0.1:{server.port}", database, config_dir, server, tokens, settings)


def post_login(client: httpx.Client, name: str, password: str = PASSWORD) -> httpx.Response:
    """Log in as a person does: open the login page (its form's token and cookie), then post the form."""
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token})


class Browser:
    """A logged-in session: its cookie, and the CSRF token its pages carry."""

    def __init__(self, site: DeskSite, name: str) -> None:
        self.client = httpx.Client(base_url=site.url, timeout=60)
        response = post_login(self.client, name)
        assert response.status_code == 303, response.text
        self.csrf = re.search(r'data-csrf="([^"]+)"', self.client.get("/").text).group(1)  # type: ignore[union-attr]

    def post(self, path: str, **data: str) -> httpx.Response:
        return self.client.post(path, data={**data, "csrf_token": self.csrf})
