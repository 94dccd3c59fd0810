"""Microphone problems are named (client.md "Voice"): getUserMedia is made to reject with
each DOMException name, on joining and when Audio setup switches microphones, and the
page says whether the microphone is blocked, busy, missing or unavailable, in clear words.
A working microphone afterwards is picked up again. Pages run with ?test=1."""
import pytest
from playwright.sync_api import expect

# getUserMedia rejects with window.__micFailure's DOMException name while it is set.
FAKE_FAILURES = """(() => {
  const media = navigator.mediaDevices;
  if (!media) return;
  const real = media.getUserMedia.bind(media);
  media.getUserMedia = (constraints) => {
    const name = window.__micFailure;
    if (name) return Promise.reject(new DOMException(`fake ${name}`, name));
    return real(constraints);
  };
})();"""

BLOCKED = "Microphone blocked: permission was denied. Allow microphone access for this site in the browser, then reconnect."
BUSY = ("Microphone busy: it is in use by another application or could not be started. "
        "Close the other application or choose another microphone in Audio setup.")
MISSING = "No microphone found. Connect a microphone or choose one in Audio setup."
INSECURE = "Microphone unavailable: this page is not in a secure context. Open it over https or on localhost."
UNSUPPORTED = "Microphone unavailable: this browser does not offer microphone access."


def joined_with(new_player, failure: str | None, name: str):
    player = new_player(test_mode=True)
    player.page.add_init_script(FAKE_FAILURES)
    if failure:
        player.page.add_init_script(f"window.__micFailure = {failure!r};")
    player.open()
    player.register(name)
    return player


def switch_microphone(player) -> None:
    """Choose another microphone in Audio setup (each choice opens it again) and close it."""
    page = player.page
    page.get_by_role("button", name="Audio setup").click()
    expect(page.locator("#audio-dialog")).to_be_visible()
    select = page.locator("#input-select")
    page.wait_for_function("document.querySelectorAll('#input-select option').length > 1")
    current = select.input_value()
    values = page.eval_on_selector_all("#input-select option", "options => options.map(o => o.value)")
    select.select_option(next(v for v in values if v != current))
    page.get_by_role("button", name="Close").click()
    expect(page.locator("#audio-dialog")).to_be_hidden()


@pytest.mark.parametrize(("failure", "text"), [
    ("NotAllowedError", BLOCKED),
    ("NotReadableError", BUSY),
    ("NotFoundError", MISSING),
])
def test_joining_says_why_the_microphone_did_not_open(new_player, failure, text):
    alice = joined_with(new_player, failure, "alice")
    alice.wait_for(text)
    assert alice.hook("mic")["device"] is False
    alice.audit(f"grid after the {failure} microphone message")
    # Shift+V needs a microphone and repeats the reason (after another line: the same line
    # said again within 300 ms is not repeated).
    alice.position()
    alice.do("Shift+V", text)


def test_every_failure_has_its_own_words_when_switching(new_player):
    alice = joined_with(new_player, None, "alice")
    alice.page.wait_for_function("window.__chgridTest.mic().device === true")
    cases = [
        ("NotAllowedError", BLOCKED), ("SecurityError", BLOCKED),
        ("NotReadableError", BUSY), ("AbortError", BUSY),
        ("NotFoundError", MISSING), ("OverconstrainedError", MISSING),
    ]
    for failure, text in cases:
        before = alice.count(text)
        alice.page.evaluate(f"window.__micFailure = {failure!r}")
        switch_microphone(alice)
        alice.wait_for(text, after=before)
        # back to the grid: "Grid focused." parts two equal lines (not repeated within 300 ms)
        focused = alice.count("Grid focused.")
        alice.page.get_by_role("button", name="Chat Grid").click()
        alice.wait_for("Grid focused.", after=focused)
    alice.page.evaluate("window.__micFailure = 'WeirdError'")
    switch_microphone(alice)
    alice.wait_for("Microphone error: fake WeirdError.")

    # A working microphone again: nothing more is said and it is open.
    alice.page.evaluate("window.__micFailure = null")
    said = len(alice.said())
    switch_microphone(alice)
    alice.page.wait_for_function("window.__chgridTest.mic().device === true")
    assert not [line for line in alice.said()[said:] if "Microphone" in line or "microphone" in line]


def test_no_microphone_api(new_player):
    """Outside a secure context the browser hides navigator.mediaDevices.getUserMedia."""
    alice = new_player(test_mode=True)
    alice.page.add_init_script("""
      Object.defineProperty(window, 'isSecureContext', { value: false });
      if (navigator.mediaDevices) navigator.mediaDevices.getUserMedia = undefined;""")
    alice.open()
    alice.register("alice")
    alice.wait_for(INSECURE)

    bob = new_player(test_mode=True)
    bob.page.add_init_script("if (navigator.mediaDevices) navigator.mediaDevices.getUserMedia = undefined;")
    bob.open()
    bob.register("bob")
    bob.wait_for(UNSUPPORTED)
