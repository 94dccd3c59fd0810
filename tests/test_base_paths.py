"""Several grids on one host (issue 13): base paths, grid isolation, scoped cookies.

One real server with ``world.grids = ["main", "lobby"]`` for the module: ``/ws`` and
``/main/ws`` play on main, ``/lobby/ws`` on lobby; each base path has its own login
cookie (upstream-0.1.md §10.3) and its own cookie helpers (§10.4-10.5).
"""
from __future__ import annotations

import pytest
import websocket

from chgrid.config import ConfigError, load_settings
from chgrid.web.cookie_renewal import cookie_name_for
from chgrid.web.sites import check_base_paths
from tests.support import Client, ServerProcess, http_get, settle, unique

HELPER = {"X-Chgrid-Auth-Client": "1"}
MAX_AGE = "Max-Age=1209600"


class GridClient(Client):
    """A ``Client`` whose handshake carries any cookies (by name), not only the root's."""

    def __init__(self, url: str, cookies: dict[str, str] | None = None, timeout: float = 10.0, **options):
        header = ["Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items())] if cookies else None
        self.ws = websocket.create_connection(url, timeout=timeout, header=header, **options)
        self.timeout = timeout
        self.received = []
        self.closed_code = None


@pytest.fixture(scope="module")
def grids_server(tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp("grids") / "data",
                           env={"CHGRID_WORLD_GRIDS": "main,lobby"}).start()
    yield server
    server.stop()


@pytest.fixture
def clients():
    opened: list[Client] = []
    yield opened
    for client in opened:
        client.close()


def url(server, path: str) -> str:
    return f"ws://127.0.0.1:{server.port}{path}"


def join(server, clients, path: str, username: str, cookies=None) -> tuple[GridClient, dict, dict]:
    """Register ``username`` over the websocket at ``path``: (client, auth_result, welcome)."""
    client = GridClient(url(server, path), cookies)
    clients.append(client)
    client.expect("auth_required")
    client.send({"type": "auth_register", "username": username, "password": "password123"})
    result = client.expect("auth_result")
    assert result["ok"], result
    return client, result, client.expect("welcome")


def test_each_socket_path_plays_on_its_grid_and_grids_do_not_mix(grids_server, clients):
    server = grids_server
    assert server.health()["ownedGrids"] == ["lobby", "main"]
    anna, _, wa = join(server, clients, "/ws", unique("anna"))  # the root: the default grid
    ben_name = unique("ben")
    ben, _, wb = join(server, clients, "/lobby/ws", ben_name)
    assert wb["users"] == []  # anna is on main
    assert settle(anna) == []  # no "ben has logged in." on main
    cleo_name = unique("cleo")
    cleo, _, wc = join(server, clients, "/main/ws", cleo_name)
    assert [u["id"] for u in wc["users"]] == [wa["id"]]
    anna.expect("chat_message", message=f"{cleo_name} has logged in.")
    assert settle(ben) == []
    dora, _, wd = join(server, clients, "/lobby/ws", unique("dora"))
    assert [u["id"] for u in wd["users"]] == [wb["id"]]
    ben.send({"type": "chat_message", "message": "hello lobby"})
    assert dora.expect("chat_message", message="hello lobby")["message"] == "hello lobby"
    anna.send({"type": "chat_message", "message": "hello main"})
    cleo.expect("chat_message", message="hello main")
    for client in (anna, cleo):
        assert all(p.get("message") != "hello lobby" for p in settle(client))
    for client in (ben, dora):
        assert all(p.get("message") != "hello main" for p in settle(client))
    ben.close()
    dora.expect("user_left", id=wb["id"])
    assert all(p["type"] != "user_left" for p in settle(anna))


def test_cookie_helpers_are_scoped_to_their_base_path(grids_server, clients):
    server = grids_server
    _, result, _ = join(server, clients, "/lobby/ws", unique("erin"))
    token = result["sessionToken"]
    bearer = HELPER | {"Authorization": f"Bearer {token}"}
    expected = {"/": f"chgrid_session_token={token}; Path=/;",
                "/lobby/": f"chgrid_session_lobby={token}; Path=/lobby/;",
                "/main/": f"chgrid_session_main={token}; Path=/main/;"}
    for base, start in expected.items():
        status, headers, body = http_get(server, f"{base}auth/session/set", bearer)
        assert (status, body) == (200, "ok")
        assert headers["Set-Cookie"] == f"{start} HttpOnly; SameSite=Lax; {MAX_AGE}"
    status, headers, body = http_get(server, "/lobby/auth/session/clear", HELPER)
    assert (status, body) == (200, "cleared")
    assert headers["Set-Cookie"] == "chgrid_session_lobby=; Path=/lobby/; HttpOnly; SameSite=Lax; Max-Age=0"


def test_session_check_answers_for_its_own_cookie_only(grids_server, clients):
    server = grids_server
    _, result, _ = join(server, clients, "/lobby/ws", unique("fay"))
    token = result["sessionToken"]
    check = "/lobby/auth/session/check"
    assert http_get(server, check, {"Cookie": f"chgrid_session_lobby={token}"})[0::2] == (400, "missing client header")
    assert http_get(server, check, HELPER)[0::2] == (401, "missing session")
    # The root's cookie (Path=/, so the browser sends it here too) is not this grid's.
    assert http_get(server, check, HELPER | {"Cookie": f"chgrid_session_token={token}"})[0::2] == (401, "missing session")
    assert http_get(server, check, HELPER | {"Cookie": "chgrid_session_lobby="})[0::2] == (401, "missing session")
    assert http_get(server, check, HELPER | {"Cookie": "chgrid_session_lobby=nope"})[0::2] == (401, "invalid session")
    status, headers, body = http_get(server, check, HELPER | {"Cookie": f"chgrid_session_token=x; chgrid_session_lobby={token}"})
    assert (status, body) == (204, "") and "Set-Cookie" not in headers
    assert http_get(server, "/auth/session/check", HELPER | {"Cookie": f"chgrid_session_lobby={token}"})[0::2] == (401, "missing session")


def test_the_socket_resumes_only_from_its_own_cookie(grids_server, clients):
    server = grids_server
    name = unique("gus")
    _, result, _ = join(server, clients, "/ws", name)
    token = result["sessionToken"]
    # A main (root) cookie does not log the browser in on lobby: a fresh connection.
    lobby = GridClient(url(server, "/lobby/ws"), {"chgrid_session_token": token})
    clients.append(lobby)
    assert lobby.next()["type"] == "auth_required"
    assert "set-cookie" not in lobby.ws.getheaders()
    # The lobby's own cookie does, and is renewed for the lobby's path.
    resumed = GridClient(url(server, "/lobby/ws"), {"chgrid_session_token": "x", "chgrid_session_lobby": token})
    clients.append(resumed)
    assert resumed.ws.getheaders()["set-cookie"] == (
        f"chgrid_session_lobby={token}; Path=/lobby/; HttpOnly; SameSite=Lax; {MAX_AGE}")
    assert resumed.expect("auth_result")["ok"] is True
    assert resumed.expect("welcome")["users"] == []  # on lobby, where nobody else is online
    root = GridClient(url(server, "/ws"), {"chgrid_session_lobby": token})
    clients.append(root)
    assert root.next()["type"] == "auth_required"


def test_an_explicit_token_is_accepted_on_every_grid(grids_server, clients):
    """Cookies are scoped; a token presented explicitly is the account's on any grid."""
    server = grids_server
    _, result, _ = join(server, clients, "/ws", unique("hana"))
    lobby = GridClient(url(server, "/lobby/ws"))
    clients.append(lobby)
    lobby.expect("auth_required")
    lobby.send({"type": "auth_resume", "sessionToken": result["sessionToken"]})
    assert lobby.expect("auth_result")["ok"] is True
    lobby.expect("welcome")


def test_paths_under_a_grid_and_at_the_root(grids_server, clients):
    server = grids_server
    index = http_get(server, "/")[2]
    for path in ("/lobby/", "/lobby/index.html", "/main/"):
        status, headers, body = http_get(server, path)
        assert (status, body) == (200, index), path
    assert http_get(server, "/lobby/js/main.js")[2] == http_get(server, "/js/main.js")[2]
    status, headers, _ = http_get(server, "/lobby")
    assert status in (301, 302) and headers["Location"] == "/lobby/"
    assert http_get(server, "/lobby/nothing-here")[0] == 404
    # A websocket upgrade under a grid prefix exists only at <base>ws.
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        GridClient(url(server, "/lobby/socket"))
    assert refused.value.status_code == 404
    # Outside the prefixes the root answers as before: the default grid on any path...
    other = GridClient(url(server, "/chat/ws"))
    clients.append(other)
    assert other.next()["type"] == "auth_required"
    # ...and the cookie helpers by suffix, with the root's cookie.
    assert http_get(server, "/chat/auth/session/check", HELPER)[0::2] == (401, "missing session")
    # Under a grid prefix only <base>auth/session/* is a helper.
    assert http_get(server, "/lobby/x/auth/session/check", HELPER)[0] == 404


def test_cookie_names_follow_the_base_path():
    assert cookie_name_for("/") == "chgrid_session_token"
    assert cookie_name_for("/ttgrid/") == "chgrid_session_ttgrid"
    assert cookie_name_for("/My Grid/v2/") == "chgrid_session_my_grid_v2"
    assert cookie_name_for("/Lobby.2-a/") == "chgrid_session_lobby_2_a"
    assert cookie_name_for("/__/") == "chgrid_session_token"


def test_grid_names_must_be_path_safe(tmp_path):
    assert load_settings(None, {"CHGRID_WORLD_GRIDS": "main,Lobby.2,a-b_c"}).world.grids == ["main", "Lobby.2", "a-b_c"]
    for bad in ("..", ".hidden", "-x", "token", "a/b", "a b"):
        with pytest.raises(ConfigError):
            load_settings(None, {"CHGRID_WORLD_GRIDS": f"main,{bad}"})
    (tmp_path / "js").mkdir()
    (tmp_path / "index.html").write_text("")
    check_base_paths(["main", "lobby"], tmp_path)
    with pytest.raises(ConfigError, match="js"):
        check_base_paths(["main", "js"], tmp_path)
