"""Benchmark the desk's hit log over HTTP: a database of 1,000,000 hits over 500,000 articles and 50 rules
(generated multilingual text: English, French, German, Ukrainian, Russian), served by `monitor web`.

Measured, each page many times after a warm-up, p95 in milliseconds:
- first: the hit log's first page (newest 50 hits);
- deep: the page 10,000 hits deep, reached by keyset (`?after=<cursor>`);
- filter: a page filtered by rule + triage state + language;
- search: a full-text search (an accent-less word found in about 1% of the articles);
- offset_deep: the same deep page by OFFSET (`?offset=10000`), the baseline measured in the same run:
  what a plain pager does, the page's own query (hit joined to article and source, the same columns,
  filters and order) with `ORDER BY matched_at DESC, id DESC LIMIT 51 OFFSET 10000`, so the database
  reads and joins the 10,000 rows it skips (`monitor.storage.hitlog._offset_page`);
- story: a story's page (its articles on a timeline, their hits), and unfold: a story's row of the hit
  log unfolded to its hits (htmx);
- and, printed apart, both ways at half the log deep, where OFFSET's cost shows, and both ways 10,000 deep
  in the database alone (the page's queries in this process), without the fixed cost of a request.

The hit log groups hits by story (one row per story: `monitor.storage.storylog`): every generated article
belongs to a story of 1 to 4 consecutive articles (so of several sources and languages), and a page of 50
rows covers about 250 hits. The OFFSET baseline stays one row per hit (as it was).

Every page includes what its reader waits for: the hit log renders its counts per rule and state in the
same response (read from the counters the database keeps, migration 0010); `/counts` alone is printed too.
The load average of the machine is printed at the start and the end (the figures are wall-clock times).

    python benchmarks/bench_web.py                       # SQLite in a temporary directory
    python benchmarks/bench_web.py --hits 100000 --articles 50000
    python benchmarks/bench_web.py --db postgresql://postgres@127.0.0.1/bench_web
    python benchmarks/bench_web.py --db sqlite:////tmp/bench.db --reuse   # again, without generating

Last line: `RESULT hits=… first_p95_ms=… deep_p95_ms=… filter_p95_ms=… search_p95_ms=…
offset_deep_p95_ms=… speedup=… story_p95_ms=… unfold_p95_ms=…` (speedup: OFFSET deep p95 over keyset
deep p95). Targets on a 2-core machine: every page p95 ≤ 150 ms, search ≤ 300 ms, deep ≥ 20× faster
than OFFSET.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor import clock
from monitor.storage.database import open_database
from monitor.storage.hitlog import Cursor, HitFilter, hit_page
from monitor.storage.search import index_articles
from monitor.storage.storylog import group_page
from monitor.storage.tables import Article, Hit, Source, Story, StoryArticle
from monitor.storage.users import add_user, create_token

BATCH = 5_000
DEPTH = 10_000
SEARCH_WORD, SEARCH_SHOWN = "coree", "Corée"
STORY = 1_000
"""The story whose page and unfolded row are measured."""
STATES = ["new"] * 16 + ["seen"] * 2 + ["relevant", "irrelevant"]
WORDS = {
    "en": "drone factory border freight train rail port missile shipment satellite report minister army "
    "plant production sanctions export weapons ammunition convoy station bridge".split(),
    "fr": "drone usine frontière fret train ferroviaire port missile livraison satellite rapport ministre "
    "armée production sanctions exportation armes munitions convoi gare pont élevé sécurité".split(),
    "de": "Drohne Fabrik Grenze Güterzug Bahn Hafen Rakete Lieferung Satellit Bericht Minister Armee "
    "Produktion Sanktionen Ausfuhr Waffen Munition Konvoi Bahnhof Brücke Größe Straße".split(),
    "uk": "дрон завод кордон вантаж потяг залізниця порт ракета поставка супутник звіт міністр армія "
    "виробництво санкції експорт зброя боєприпаси колона станція міст Київ їжак".split(),
    "ru": "дрон завод граница груз поезд железная дорога порт ракета поставка спутник отчёт министр армия "
    "производство санкции экспорт оружие боеприпасы колонна станция мост самолёт ёж".split(),
}


def sentence(rng: random.Random, language: str, count: int) -> str:
    words = WORDS[language]
    return " ".join(
        rng.choice(words) + (str(rng.randrange(1000)) if rng.random() < 0.05 else "") for _ in range(count)
    )


def generate(url: str, hits: int, articles: int, rules: int, seed: int = 7) -> None:
    """Fill the database, with a user to call the desk as."""
    rng = random.Random(seed)
    database = open_database(url)
    now = clock.now()
    engine = database.engine
    languages = list(WORDS)
    with engine.begin() as connection:
        sources = [
            {
                "name": f"source {i}",
                "url": f"https://news{i}.example/feed",
                "enabled": True,
                "consecutive_failures": 0,
                "created_at": now,
            }
            for i in range(40)
        ]
        connection.execute(Source.__table__.insert(), sources)  # type: ignore[attr-defined]
        source_ids = [row[0] for row in connection.execute(text("SELECT id FROM source ORDER BY id"))]
    started = time.perf_counter()
    for first in range(0, articles, BATCH):
        rows, indexed = [], []
        for number in range(first, min(articles, first + BATCH)):
            language = languages[number % len(languages)]
            title = sentence(rng, language, 8)
            summary = sentence(rng, language, 40)
            if rng.random() < 0.01:
                summary += f" {SEARCH_SHOWN} du Nord"
            seen = now - timedelta(seconds=(articles - number) * 10)
            rows.append(
                {
                    "id": number + 1,
                    "source_id": source_ids[number % len(source_ids)],
                    "dedupe_key": f"k{number}",
                    "url": f"https://news.example/{number}",
                    "guid": None,
                    "title": title,
                    "summary": summary,
                    "content": "",
                    "language": language,
                    "published_at": seen,
                    "first_seen_at": seen,
                    "content_hash": hashlib.sha256(title.encode()).hexdigest(),
                }
            )
            indexed.append((number + 1, title, summary))
        with engine.begin() as connection:
            connection.execute(Article.__table__.insert(), rows)  # type: ignore[attr-defined]
            index_articles(connection, indexed)
    print(f"{articles} articles stored and indexed in {time.perf_counter() - started:.0f} s", flush=True)
    print(f"{generate_stories(engine, articles, now, rng)} stories stored", flush=True)
    started = time.perf_counter()
    per_article = hits // articles
    hit_id = 0
    for first in range(0, articles, BATCH):
        rows = []
        for number in range(first, min(articles, first + BATCH)):
            chosen = rng.sample(range(rules), per_article + (1 if number < hits % articles else 0))
            seen = now - timedelta(seconds=(articles - number) * 10)
            for rule in chosen:
                hit_id += 1
                rows.append(
                    {
                        "id": hit_id,
                        "rule": f"rule-{rule:02d}",
                        "article_id": number + 1,
                        "terms": ["drone"],
                        "highlights": [{"term": "drone", "field": "title", "start": 0, "end": 5}],
                        "snippet": "… «drone» …",
                        "matched_at": seen,
                        "state": rng.choice(STATES),
                        "starred": False,
                    }
                )
        with engine.begin() as connection:
            connection.execute(Hit.__table__.insert(), rows)  # type: ignore[attr-defined]
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("SELECT setval('hit_id_seq', (SELECT max(id) FROM hit))"))
            connection.execute(text("SELECT setval('article_id_seq', (SELECT max(id) FROM article))"))
        # The state of a database in use (autovacuum may be off): statistics, and the visibility map that
        # lets PostgreSQL answer from an index alone.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    print(f"{hit_id} hits stored in {time.perf_counter() - started:.0f} s", flush=True)
    with database.session() as session:
        add_user(session, "bench", "benchmark password", "viewer", now=now)
        session.commit()
    database.dispose()


def generate_stories(engine: Any, articles: int, now: datetime, rng: random.Random) -> int:
    """Every article in a story of 1 to 4 consecutive articles (consecutive articles are of different
    sources and languages); how many stories."""
    stories: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    number = story = 0
    while number < articles:
        members = range(number, min(articles, number + rng.choice((1, 1, 2, 3, 4))))
        story += 1
        times = [now - timedelta(seconds=(articles - member) * 10) for member in members]
        stories.append(
            {"id": story, "first_at": times[0], "last_at": times[-1], "merged_into": None, "created_at": now}
        )
        for member, moment in zip(members, times, strict=True):
            links.append({"id": member + 1, "article_id": member + 1, "story_id": story, "at": moment})
            links[-1]["features"] = {}
        number = members.stop
        if len(links) >= BATCH or number >= articles:
            with engine.begin() as connection:
                connection.execute(Story.__table__.insert(), stories)  # type: ignore[attr-defined]
                connection.execute(StoryArticle.__table__.insert(), links)  # type: ignore[attr-defined]
            stories, links = [], []
    return story


def bench_token(url: str) -> str:
    """A new API token of the benchmark's user."""
    database = open_database(url)
    with database.session() as session:
        token = create_token(session, "bench", "api", now=clock.now())
        session.commit()
    database.dispose()
    return token


def filled(url: str, hits: int) -> bool:
    """Whether the database holds the hits of an earlier run (for --reuse)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM hit")).scalar_one()) == hits
    except SQLAlchemyError:
        return False
    finally:
        engine.dispose()


def deep_cursor(url: str, depth: int = DEPTH) -> str:
    """The cursor of the page `depth` hits deep (walked in big keyset pages, directly in the database)."""
    database = open_database(url)
    cursor = None
    with database.read_session() as session:
        for _ in range(depth // 500):
            page = hit_page(session, HitFilter(), after=cursor, limit=500)
            assert page.next_cursor is not None
            cursor = Cursor.decode(page.next_cursor)
    database.dispose()
    assert cursor is not None
    return cursor.encode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(url: str, config_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`monitor web` in a process of its own, once it answers /healthz."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "monitor",
        "--config",
        str(config_dir),
        "--db",
        url,
        "web",
        "--address",
        f"127.0.0.1:{port}",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("monitor web did not start")


def p95(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=20)[-1] * 1000 if len(timings) > 1 else timings[0] * 1000


def measure(call: Callable[[], object], repeat: int) -> float:
    """p95 of `call` in ms, after a warm-up; an HTTP response must be a success."""
    for _ in range(3):
        _checked(call())
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        timings.append(time.perf_counter() - started)
        _checked(result)
    return p95(timings)


def _checked(result: object) -> None:
    if isinstance(result, httpx.Response):
        result.raise_for_status()


def in_database(url: str, cursor: str, repeat: int) -> tuple[float, float, float]:
    """p95 of the deep page's work in the database alone (no HTTP, no template): one row per hit by keyset
    (`hit_page`), one row per story by keyset (`group_page`, what the hit log shows) and one row per hit by
    OFFSET, to tell the pagers apart from the fixed cost of a request."""
    database = open_database(url)
    after = Cursor.decode(cursor)

    def page(read: Callable[..., object], **how: object) -> Callable[[], object]:
        def call() -> object:
            with database.read_session() as session:
                return read(session, HitFilter(), **how)

        return call

    try:
        flat = measure(page(hit_page, after=after), repeat)
        grouped = measure(page(group_page, after=after), repeat)
        return flat, grouped, measure(page(hit_page, offset=DEPTH), repeat)
    finally:
        database.dispose()


def _load(averages: tuple[float, float, float]) -> str:
    return " ".join(f"{value:.2f}" for value in averages)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hits", type=int, default=1_000_000)
    parser.add_argument("--articles", type=int, default=500_000)
    parser.add_argument("--rules", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=40, help="Timed requests per page.")
    parser.add_argument("--db", help="Database URL (default: SQLite in a temporary directory).")
    parser.add_argument(
        "--reuse", action="store_true", help="Measure again on the --db an earlier run filled (if it did)."
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-web-"))
    url = args.db or f"sqlite:///{workdir / 'monitor.db'}"
    reuse = bool(args.db and args.reuse and filled(url, args.hits))
    if make_url(url).get_backend_name() == "postgresql" and not reuse:
        admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            name = make_url(url).database
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    config_dir = workdir / "config"
    config_dir.mkdir()
    rules = "\n".join(
        f"  - name: rule-{i:02d}\n    query: drone{i}\n    channels: []" for i in range(args.rules)
    )
    (config_dir / "rules.yaml").write_text(f"rules:\n{rules}\n")
    load_before = os.getloadavg()
    if reuse:
        print("measuring again on the database of an earlier run", flush=True)
    else:
        generate(url, args.hits, args.articles, args.rules)
    token, rule = bench_token(url), "rule-07"
    cursor = deep_cursor(url)
    far = args.hits // 2
    far_cursor = deep_cursor(url, far)
    process, base = serve(url, config_dir)
    client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    try:
        first = measure(lambda: client.get("/"), args.repeat)
        deep = measure(lambda: client.get("/", params={"after": cursor}), args.repeat)
        filtered = measure(
            lambda: client.get("/", params={"rule": rule, "state": "new", "language": "fr"}), args.repeat
        )
        search = measure(lambda: client.get("/", params={"q": SEARCH_WORD}), args.repeat)
        offset = measure(lambda: client.get("/", params={"offset": DEPTH}), args.repeat)
        far_keyset = measure(lambda: client.get("/", params={"after": far_cursor}), max(5, args.repeat // 4))
        far_offset = measure(lambda: client.get("/", params={"offset": far}), max(5, args.repeat // 4))
        counts = measure(lambda: client.get("/counts", headers={"HX-Request": "true"}), args.repeat)
        story = measure(lambda: client.get(f"/stories/{STORY}"), args.repeat)
        unfold = measure(
            lambda: client.get(f"/stories/{STORY}/group?expanded=yes", headers={"HX-Request": "true"}),
            args.repeat,
        )
        found = client.get("/api/v1/hits", params={"q": SEARCH_WORD, "limit": 500}).json()["hits"]
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=30)
    keyset_alone, grouped_alone, offset_alone = in_database(url, cursor, args.repeat)
    print(
        f"database: {make_url(url).get_backend_name()}; search '{SEARCH_WORD}' finds '{SEARCH_SHOWN}' "
        f"({len(found)}+ hits on its first 500); counts panel (in every page; alone) p95 {counts:.1f} ms"
    )
    print(
        f"first page p95 {first:.1f} ms; {DEPTH} deep by keyset {deep:.1f} ms, by OFFSET {offset:.1f} ms; "
        f"filtered {filtered:.1f} ms; search {search:.1f} ms"
    )
    print(f"a story's page p95 {story:.1f} ms; a story's row unfolded p95 {unfold:.1f} ms")
    print(f"{far} deep (half the log): keyset p95 {far_keyset:.1f} ms, OFFSET p95 {far_offset:.1f} ms")
    print(
        f"{DEPTH} deep, the database's work alone (no HTTP, no template): keyset p95 {keyset_alone:.1f} ms, "
        f"OFFSET p95 {offset_alone:.1f} ms ({offset_alone / keyset_alone:.1f}×); grouped by story (keyset) "
        f"p95 {grouped_alone:.1f} ms"
    )
    print(f"load average (1, 5, 15 min) before {_load(load_before)}, after {_load(os.getloadavg())}")
    print(
        f"RESULT hits={args.hits} first_p95_ms={first:.1f} deep_p95_ms={deep:.1f} "
        f"filter_p95_ms={filtered:.1f} search_p95_ms={search:.1f} offset_deep_p95_ms={offset:.1f} "
        f"speedup={offset / deep:.1f} story_p95_ms={story:.1f} unfold_p95_ms={unfold:.1f}"
    )
    if not args.db:
        for leftover in workdir.glob("**/*"):
            if leftover.is_file():
                leftover.unlink()


if __name__ == "__main__":
    main()
