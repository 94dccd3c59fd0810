"""The bundled client under the server's Content-Security-Policy: it loads, registers,
walks, chats, plays item sounds and a radio stream from another origin, with no policy
violation reported by the page or the console."""
from __future__ import annotations

from test_audio_hooks import Maker, server, stream_server  # noqa: F401 (fixtures used by name)

# Recorded from the first script on, before the client's own modules run.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`
    + ` at ${event.sourceFile}:${event.lineNumber}`);
});
"""


def violations(player) -> list[str]:
    found = player.page.evaluate("window.__cspViolations")
    found += [line for line in player.console if "Content Security Policy" in line]
    return found


def open_watched(new_player):
    player = new_player(test_mode=True, csp=True)
    player.page.add_init_script(RECORD_VIOLATIONS)
    player.open()
    return player


def test_the_bundled_client_plays_under_the_policy(new_player, server, stream_server):  # noqa: F811
    alice = open_watched(new_player)
    csp = alice.page.evaluate("fetch('/').then((r) => r.headers.get('content-security-policy'))")
    assert csp and "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    alice.register("alice")
    bob = open_watched(new_player)
    bob.register("bob")
    alice.wait_for("bob has logged in.")

    # Walk and chat.
    x, y = alice.position()
    key, dx = ("ArrowRight", 1) if x < 40 else ("ArrowLeft", -1)
    alice.step(key, (x + dx, y))
    alice.type_line("/", "Chat.", "hello under a policy")
    bob.wait_for("alice: hello under a policy")

    # Item sounds from the server and a radio from another origin (another port).
    maker = Maker(server)
    try:
        radio = maker.add("radio_station", streamUrl=f"{stream_server}/cors/station.ogg", mediaVolume=100)
        maker.step()
        maker.add("widget", emitSound="spin.ogg", emitVolume=50, emitLoopDelay=1)
        alice.place(radio["x"], radio["y"])
        alice.wait_for_js(
            "() => window.__chgridTest.radioElements().some((r) => r.started && !r.paused)", timeout=20_000)
        alice.wait_for_js(
            "() => window.__chgridTest.emitElements().length > 0", timeout=20_000)
    finally:
        maker.close()

    for player in (alice, bob):
        assert violations(player) == [], violations(player)


def test_the_violation_detector_sees_an_inline_script(new_player):
    """The check above can fail: an inline script is reported, and does not run."""
    player = open_watched(new_player)
    ran = player.page.evaluate("""() => {
        window.__inlineRan = false;
        const script = document.createElement('script');
        script.textContent = 'window.__inlineRan = true;';
        document.body.appendChild(script);
        return new Promise((resolve) => setTimeout(() => resolve(window.__inlineRan), 200));
    }""")
    assert ran is False
    player.wait_for_js("window.__cspViolations.length > 0")
    assert any("script-src" in line for line in violations(player)), violations(player)
