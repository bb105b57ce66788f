"""The app cannot be driven from another site (issue 13, item 9): requests naming another
host or coming from another origin are refused, and never get a CORS header back; the folder
box reads only allowed folders; failed logins are throttled. The real Gradio app is served
through the same ASGI stack ``dossier ui`` runs (``dossier.web.app.server``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from corpus.errors import UsageError
from dossier.web.security import HostPolicy, LoginThrottle, check_folder
from tests.app_client import run_event
from tests.conftest import FIXTURE_CORPUS

BASE = "http://127.0.0.1:7860"
EVIL = "evil.example"


@pytest.fixture(scope="module")
def app_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("secure-app")


@pytest.fixture(scope="module")
def client(app_home: Path) -> Iterator[TestClient]:
    """The app with --auth, bound to 127.0.0.1:7860, as ``dossier ui`` serves it."""
    from dossier.web.app import build, server
    from dossier.web.engine import Engine

    engine = Engine("test", home=app_home, embedding={"name": "hashing"})
    demo = build(engine)
    demo.queue(default_concurrency_limit=4)
    policy = HostPolicy.for_bind("127.0.0.1")
    app = server(demo, engine, policy, ("me", "right-password"), ("127.0.0.1", 7860))
    with TestClient(app, base_url=BASE) as c:
        # logged in first: the throttling test later refuses this client's logins
        assert c.post("/login", data={"username": "me", "password": "right-password"}).is_success
        yield c


def no_cors(response: object) -> bool:
    headers = response.headers  # type: ignore[attr-defined]
    return not any(k.lower().startswith("access-control-") for k in headers)


@pytest.mark.parametrize("host", [EVIL, f"{EVIL}:7860", "127.0.0.1.evil.example:7860"])
def test_a_foreign_host_is_refused_and_not_reflected(client: TestClient, host: str) -> None:
    """DNS rebinding: a page on evil.example resolves its name to 127.0.0.1 and calls the
    app under its own name. Gradio alone answered and echoed the origin in CORS."""
    for method, path in [("GET", "/"), ("GET", "/config"), ("POST", "/gradio_api/call/ask"),
                         ("POST", "/login")]:  # fmt: skip
        r = client.request(method, path, headers={"Host": host, "Origin": f"http://{host}"})
        assert r.status_code == 421, (method, path, r.status_code)
        assert no_cors(r), r.headers
        assert EVIL not in r.text


@pytest.mark.parametrize(
    "origin", [f"http://{EVIL}", f"https://{EVIL}:7860", "null", "http://localhost:9999",
               "http://127.0.0.1:8000", "file://"],
)  # fmt: skip
def test_a_request_from_another_origin_is_refused(client: TestClient, origin: str) -> None:
    """The Host is ours but the page is not: another site, a sandboxed page ('null'),
    or another web app on this machine (another port)."""
    r = client.get("/", headers={"Origin": origin})
    assert r.status_code == 403 and no_cors(r)
    preflight = client.options("/gradio_api/call/ask", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST"})  # fmt: skip
    assert preflight.status_code == 403 and no_cors(preflight)


@pytest.mark.parametrize("host", ["127.0.0.1:7860", "localhost:7860", "[::1]:7860"])
def test_the_app_itself_is_served(client: TestClient, host: str) -> None:
    scheme_host = f"http://{host}"
    for headers in ({"Host": host}, {"Host": host, "Origin": scheme_host}):
        r = client.get("/", headers=headers)
        assert r.status_code == 200, (headers, r.status_code)
        assert no_cors(r)  # same origin needs no CORS header, and none is sent


def test_host_policy_for_each_binding() -> None:
    loop = HostPolicy.for_bind("127.0.0.1")
    assert loop.host_ok("127.0.0.1:7860") and loop.host_ok("localhost") and loop.host_ok("[::1]")
    assert not any(loop.host_ok(h) for h in ("evil.example", "", "10.0.0.2"))
    named = HostPolicy.for_bind("192.168.1.5", ["Dossier.Example:443"])
    assert named.host_ok("192.168.1.5:7860") and named.host_ok("dossier.example")
    assert not named.host_ok("localhost") and not named.host_ok("192.168.1.6")
    assert named.origin_ok("https://dossier.example", "192.168.1.5:7860")  # a TLS proxy
    assert not named.origin_ok("http://192.168.1.5:8000", "192.168.1.5:7860")  # another port
    wide = HostPolicy.for_bind("0.0.0.0")
    # any address typed as digits reaches this machine and cannot be rebound; names cannot
    assert wide.host_ok("10.1.2.3:7860") and wide.host_ok("localhost:7860")
    assert not wide.host_ok("evil.example")


def test_sixty_wrong_passwords_are_throttled(client: TestClient) -> None:
    """Gradio's login had no limit: 60 wrong passwords took 0.1 s. After 5 failures each
    client must wait, doubling each time, and the right password is refused meanwhile."""
    codes = [client.post("/login", data={"username": "me", "password": f"guess{i}"}).status_code
             for i in range(60)]  # fmt: skip
    assert codes[:5] == [400] * 5  # Gradio's own "Incorrect credentials"
    assert codes.count(429) >= 50, codes
    right = client.post("/login", data={"username": "me", "password": "right-password"})
    assert right.status_code == 429 and int(right.headers["retry-after"]) >= 1
    assert "access-token" not in right.headers.get("set-cookie", "")


def test_login_back_off_doubles_and_a_success_clears_it() -> None:
    now = [1000.0]
    throttle = LoginThrottle(free=3, base=1.0, most=60.0, clock=lambda: now[0])
    for _ in range(3):
        assert throttle.wait("a") == 0
        throttle.failed("a")
    waits = []
    for _ in range(8):
        waits.append(throttle.wait("a"))
        now[0] += waits[-1]
        throttle.failed("a")
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60]
    assert throttle.wait("b") == 0  # per client
    now[0] += 60
    throttle.succeeded("a")
    assert throttle.wait("a") == 0


def test_the_folder_box_reads_only_allowed_folders(tmp_path: Path) -> None:
    allowed = tmp_path / "papers"
    (allowed / "sub").mkdir(parents=True)
    (allowed / "sub" / "a.md").write_text("# A\n\nText.", encoding="utf-8")
    (allowed / "etc-link").symlink_to("/etc")
    roots = [tmp_path / "uploads", allowed]
    assert check_folder(str(allowed / "sub"), roots) == (allowed / "sub").resolve()
    assert check_folder(f"  {allowed}/sub/../sub/a.md ", roots).name == "a.md"
    for bad in ["/etc", "/root", "/", str(allowed / "etc-link"), str(allowed / ".." / ".."),
                str(tmp_path / "papers-evil")]:  # fmt: skip
        with pytest.raises(UsageError, match="--allow-folder"):
            check_folder(bad, roots)
    with pytest.raises(UsageError, match="Enter a folder"):
        check_folder("  ", roots)
    with pytest.raises(UsageError, match="no such file"):
        check_folder(str(allowed / "missing"), roots)


def test_the_queue_api_cannot_ingest_etc(client: TestClient, app_home: Path) -> None:
    """Through the queue API (the page's own event, called by a script) the folder box
    ingested /etc (3 files) and /root. Now it reads only the uploads and --allow-folder."""
    from dossier.web.engine import Engine

    for folder in ["/etc", "/root", str(app_home), str(app_home / "uploads" / ".." / "..")]:
        done = run_event(client, f"{BASE}/", "ingest-folder",
                         {"folder": folder, "collection": "test"})  # fmt: skip
        assert "only folders under" in json.dumps(done["output"]), (folder, done)
    engine = Engine("test", home=app_home, embedding={"name": "hashing"})
    assert engine.library("test")[0] == []  # nothing was ingested
    allowed = Engine("test", home=app_home, folder_roots=[FIXTURE_CORPUS.parent],
                     embedding={"name": "hashing"})  # fmt: skip
    assert allowed.server_path(str(FIXTURE_CORPUS)) == FIXTURE_CORPUS.resolve()


def test_the_evaluation_form_reads_only_allowed_paths(dossier_home: Path) -> None:
    """The Evaluation tab's corpus and questions boxes are server paths too: /etc is
    refused there, and nothing is indexed or saved; the shipped demo set is allowed."""
    from dossier.web import evaluation
    from dossier.web.engine import Engine

    engine = Engine("test", embedding={"name": "hashing"})
    out = list(evaluation.run(engine, "/etc", "/etc/passwd", 1, "extractive"))
    assert len(out) == 1 and "--allow-folder" in str(out[0][-1])
    assert not (dossier_home / "eval-runs").exists()
    corpus, qa = evaluation.PRESETS[evaluation.DEFAULT]
    assert engine.server_path(str(qa), *(p.parent for p in (corpus, qa))) == qa.resolve()
