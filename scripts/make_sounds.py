#!/usr/bin/env python3
"""Synthesise every sound asset chgrid ships into ``web/sounds/`` as Ogg Vorbis.

The generated files are committed, so players and developers need no audio tools; this
script is how they are (re)made.  Asset names come from the specs: items.md §10.1 and
§11 (server-named sounds and the clock's speech samples) and client.md §4.1 / §5.8
(client-only sounds).

Everything is synthesised here: effects and chimes by small pure-Python DSP (noise,
damped sines, RBJ biquad filters) written to WAV and encoded with SoX; speech with
eSpeak NG, trimmed with SoX's ``silence`` effect.  All randomness uses fixed seeds and
SoX runs in repeatable mode (``-R``), so re-running on the same machine gives
byte-identical files.

Requirements: ``sox`` with Ogg Vorbis support, and ``espeak-ng``.
Debian/Ubuntu:  apt-get install sox libsox-fmt-all espeak-ng

Usage:  python3 scripts/make_sounds.py [--out web/sounds] [--only NAME ...] [--list]
"""
from __future__ import annotations

import argparse
import math
import random
import shutil
import subprocess
import sys
import tempfile
import wave
from array import array
from pathlib import Path

SR = 22050  # every asset: mono, 22050 Hz (eSpeak NG's native rate)
VORBIS_QUALITY = "3"
VOICE = ["-v", "en-us", "-s", "150"]
REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "web" / "sounds"

INSTALL_HINT = (
    "Debian/Ubuntu: sudo apt-get install sox libsox-fmt-all espeak-ng\n"
    "Fedora:        sudo dnf install sox espeak-ng\n"
    "macOS (brew):  brew install sox espeak-ng"
)


# --------------------------------------------------------------------------- DSP

def silence(sec: float) -> list[float]:
    return [0.0] * int(round(sec * SR))


def mix(dst: list[float], src: list[float], at_sec: float, gain: float = 1.0) -> None:
    """Add ``src`` into ``dst`` starting at ``at_sec`` (clipped to ``dst``'s length)."""
    i0 = int(round(at_sec * SR))
    n = min(len(src), len(dst) - i0)
    for i in range(max(0, n)):
        dst[i0 + i] += gain * src[i]


def noise(rng: random.Random, sec: float) -> list[float]:
    return [rng.uniform(-1.0, 1.0) for _ in range(int(round(sec * SR)))]


def damped_sine(freq: float, tau: float, sec: float, amp: float = 1.0,
                phase: float = 0.0, glide_to: float | None = None,
                attack: float = 0.0) -> list[float]:
    """Sine with exponential decay (time constant ``tau``), optional exponential glide
    from ``freq`` to ``glide_to`` over the whole length and a linear attack."""
    n = int(round(sec * SR))
    out = [0.0] * n
    ph = phase
    for i in range(n):
        t = i / SR
        f = freq if glide_to is None else freq * (glide_to / freq) ** (i / max(1, n - 1))
        env = math.exp(-t / tau) if tau > 0 else 1.0
        if attack > 0 and t < attack:
            env *= t / attack
        out[i] = amp * env * math.sin(ph)
        ph += 2 * math.pi * f / SR
    return out


def envelope(x: list[float], attack: float, tau: float, hold: float = 0.0) -> list[float]:
    """Linear attack, optional hold, then exponential decay."""
    out = [0.0] * len(x)
    for i, v in enumerate(x):
        t = i / SR
        if t < attack:
            g = t / attack
        elif t < attack + hold:
            g = 1.0
        else:
            g = math.exp(-(t - attack - hold) / tau)
        out[i] = v * g
    return out


def _coeffs(kind: str, f0: float, q: float) -> tuple[float, float, float, float, float]:
    f0 = min(max(f0, 10.0), SR * 0.45)
    w0 = 2 * math.pi * f0 / SR
    cw, sw = math.cos(w0), math.sin(w0)
    alpha = sw / (2 * q)
    if kind == "lp":
        b0, b1, b2 = (1 - cw) / 2, 1 - cw, (1 - cw) / 2
    elif kind == "hp":
        b0, b1, b2 = (1 + cw) / 2, -(1 + cw), (1 + cw) / 2
    elif kind == "bp":  # constant 0 dB peak gain
        b0, b1, b2 = alpha, 0.0, -alpha
    else:
        raise ValueError(kind)
    a0, a1, a2 = 1 + alpha, -2 * cw, 1 - alpha
    return b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0


def biquad(x: list[float], kind: str, f0, q: float = 0.707, block: int = 16) -> list[float]:
    """RBJ-cookbook biquad.  ``f0`` is a number or a function of time (seconds); a
    time-varying cut-off is re-evaluated every ``block`` samples."""
    varying = callable(f0)
    b0, b1, b2, a1, a2 = _coeffs(kind, f0(0.0) if varying else f0, q)
    x1 = x2 = y1 = y2 = 0.0
    out = [0.0] * len(x)
    for i, v in enumerate(x):
        if varying and i % block == 0:
            b0, b1, b2, a1, a2 = _coeffs(kind, f0(i / SR), q)
        y = b0 * v + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
        x2, x1, y2, y1 = x1, v, y1, y
        out[i] = y
    return out


def bell(freq: float, sec: float, amp: float = 1.0, tau: float = 0.5,
         partials=((1.0, 1.0, 1.0), (2.0, 0.35, 0.6), (3.0, 0.15, 0.35),
                   (4.16, 0.08, 0.2))) -> list[float]:
    """Chime-like tone: partials (ratio, gain, decay scale) with a 2 ms attack."""
    out = silence(sec)
    for ratio, g, ts in partials:
        if freq * ratio < SR * 0.45:
            mix(out, damped_sine(freq * ratio, tau * ts, sec, g, attack=0.002), 0.0)
    return [amp * v for v in out]


def fade(x: list[float], fade_in: float = 0.0, fade_out: float = 0.0) -> list[float]:
    n = len(x)
    ni, no = int(fade_in * SR), int(fade_out * SR)
    out = list(x)
    for i in range(min(ni, n)):
        out[i] *= i / ni
    for i in range(min(no, n)):
        out[n - 1 - i] *= i / no
    return out


def normalize(x: list[float], peak_db: float) -> list[float]:
    peak = max((abs(v) for v in x), default=0.0)
    if peak <= 0:
        return list(x)
    g = 10 ** (peak_db / 20) / peak
    return [v * g for v in x]


# --------------------------------------------------------------------------- I/O

def write_wav(path: Path, x: list[float]) -> None:
    pcm = array("h", (int(round(max(-1.0, min(1.0, v)) * 32767)) for v in x))
    if sys.byteorder != "little":
        pcm.byteswap()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(pcm.tobytes())


def read_wav(path: Path) -> list[float]:
    with wave.open(str(path), "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2 or w.getframerate() != SR:
            raise RuntimeError(f"unexpected WAV format in {path}")
        pcm = array("h", w.readframes(w.getnframes()))
    if sys.byteorder != "little":
        pcm.byteswap()
    return [v / 32768 for v in pcm]


def run(cmd: list[str]) -> None:
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"command failed ({res.returncode}): {' '.join(cmd)}\n{res.stderr}")


class Builder:
    def __init__(self, out_dir: Path, tmp: Path):
        self.out_dir = out_dir
        self.tmp = tmp
        self.written: list[Path] = []
        self._n = 0

    def _tmp(self, suffix: str) -> Path:
        self._n += 1
        return self.tmp / f"t{self._n}{suffix}"

    def save(self, name: str, x: list[float]) -> None:
        """Encode ``x`` to ``<out>/<name>`` (mono Ogg Vorbis, quality 3)."""
        wav = self._tmp(".wav")
        write_wav(wav, x)
        dest = self.out_dir / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        run(["sox", "-R", str(wav), "-C", VORBIS_QUALITY, str(dest)])
        self.written.append(dest)

    def speak(self, text: str, tail: float = 0.03) -> list[float]:
        """``text`` spoken by eSpeak NG, leading/trailing silence trimmed with SoX,
        a tiny fade at both ends and ``tail`` seconds of silence so samples chain
        like words in a sentence."""
        raw, trimmed = self._tmp(".wav"), self._tmp(".wav")
        run(["espeak-ng", *VOICE, "-w", str(raw), text])
        run(["sox", "-R", str(raw), "-r", str(SR), "-c", "1", "-b", "16", str(trimmed),
             "silence", "1", "0.005", "-45d", "reverse",
             "silence", "1", "0.005", "-45d", "reverse"])
        x = read_wav(trimmed)
        if len(x) < SR * 0.05:
            raise RuntimeError(f"eSpeak NG produced (almost) nothing for {text!r}")
        x = fade(normalize(x, -2.0), 0.003, 0.012)
        return x + silence(tail)


# --------------------------------------------------------------------------- sounds

def click(rng: random.Random, bright: float = 1.0, sec: float = 0.03) -> list[float]:
    """Short hard impact: a sub-millisecond noise transient plus two damped
    resonances (plastic/bone on wood)."""
    n = noise(rng, sec)
    n = biquad(envelope(n, 0.0003, 0.0012), "hp", 1500)
    out = [0.8 * v for v in n]
    f1 = rng.uniform(2300, 3900) * bright
    f2 = f1 * rng.uniform(1.6, 2.1)
    mix(out, damped_sine(f1, 0.006, sec, 0.7, rng.uniform(0, 6.28)), 0.0)
    mix(out, damped_sine(f2, 0.003, sec, 0.35, rng.uniform(0, 6.28)), 0.0)
    return out


def make_roll() -> list[float]:
    """Two dice landing: each bounces with geometrically shrinking spacing and
    amplitude, with small tumble clicks after the bigger hits; ~0.8 s."""
    rng = random.Random(1001)
    out = silence(0.8)
    for die, start in enumerate((0.015, 0.045)):
        t, gap, amp = start, rng.uniform(0.12, 0.15), 1.0
        while gap > 0.015 and t < 0.7:
            mix(out, click(rng), t, amp)
            if die == 0 and t == start:  # the table's knock on the first landing
                mix(out, damped_sine(260, 0.012, 0.05, 0.5), t)
            for _ in range(rng.randint(0, 2) if amp > 0.3 else 0):
                mix(out, click(rng, 1.1), t + rng.uniform(0.006, 0.02), amp * 0.35)
            t += gap * rng.uniform(0.85, 1.15)
            gap *= 0.8
            amp *= 0.8
        # settling wobble
        for k in range(3):
            mix(out, click(rng, 1.2, 0.02), t + 0.012 * k, amp * 0.5 * (0.6 ** k))
    out = biquad(out, "hp", 120)
    return fade(normalize(out, -3.0), 0.0, 0.03)


def make_spin() -> list[float]:
    """Prize wheel: ratchet clicks whose rate falls linearly from ~22/s toward 0
    (so the interval grows), over a faint whirr; exactly 2.5 s."""
    rng = random.Random(2002)
    dur, rate0, stop = 2.5, 22.0, 2.62
    out = silence(dur)
    # faint whirr that slows down with the wheel
    whirr = noise(rng, dur)
    whirr = biquad(whirr, "bp", lambda t: 900 * max(0.15, 1 - t / stop) + 150, 1.5)
    whirr = [v * 0.05 * max(0.0, 1 - i / SR / stop) for i, v in enumerate(whirr)]
    mix(out, whirr, 0.0)
    # click k happens when the wheel has turned k pegs: rate0*(t - t^2/(2*stop)) = k
    total = rate0 * stop / 2
    k = 0
    while True:
        k += 1
        if k >= total:
            break
        t = stop * (1 - math.sqrt(1 - k / total))
        if t > dur - 0.12:
            break
        speed = 1 - t / stop
        mix(out, click(rng, 0.75, 0.035), t, (0.55 + 0.45 * speed) * rng.uniform(0.85, 1.0))
    out = biquad(out, "hp", 150)
    return fade(normalize(out, -3.0), 0.005, 0.05)


def make_clock() -> list[float]:
    """Exactly one second: a tick at 0 and a softer, lower tock at 0.5 s.  Both decay
    to silence long before the loop point, so the file loops seamlessly."""
    rng = random.Random(3003)
    out = silence(1.0)
    assert len(out) == SR

    def tk(freqs, amp):
        x = silence(0.06)
        tr = biquad(envelope(noise(rng, 0.06), 0.0002, 0.0008), "hp", 2000)
        mix(x, tr, 0.0, 0.5)
        for f, tau, g in freqs:
            mix(x, damped_sine(f, tau, 0.06, g), 0.0)
        return [amp * v for v in x]

    mix(out, tk(((3100, 0.004, 1.0), (5200, 0.002, 0.5), (1800, 0.006, 0.4)), 1.0), 0.0)
    mix(out, tk(((2000, 0.005, 1.0), (3500, 0.003, 0.4), (1150, 0.008, 0.5)), 0.55), 0.5)
    out = normalize(out, -6.0)
    return out


def chord_notes(notes, spacing: float, sec: float, tau: float, amp: float = 1.0):
    out = silence(sec)
    for i, f in enumerate(notes):
        mix(out, bell(f, sec - i * spacing, tau=tau), i * spacing, amp)
    return out


C5, E5, G5, C6 = 523.25, 659.26, 783.99, 1046.50


def make_logon() -> list[float]:
    return normalize(chord_notes((C5, G5), 0.13, 0.75, 0.22), -3.0)


def make_logout() -> list[float]:
    return normalize(chord_notes((G5, C5), 0.13, 0.75, 0.22), -3.0)


def make_notify() -> list[float]:
    """Chat blip: a quick bright sine that glides up a little."""
    x = damped_sine(1046.5, 0.035, 0.14, 1.0, glide_to=1318.5, attack=0.003)
    mix(x, damped_sine(2093.0, 0.02, 0.14, 0.18, glide_to=2637.0, attack=0.003), 0.0)
    return fade(normalize(x, -4.0), 0.0, 0.01)


def make_action() -> list[float]:
    """/me: a softer, lower, rounder blip that glides down a little."""
    x = damped_sine(698.5, 0.05, 0.2, 1.0, glide_to=622.3, attack=0.012)
    mix(x, damped_sine(1396.9, 0.03, 0.2, 0.08, attack=0.012), 0.0)
    x = biquad(x, "lp", 2500)
    return fade(normalize(x, -10.0), 0.0, 0.02)


def make_step(i: int) -> list[float]:
    """Footstep ``i`` (1–11): heel thud + filtered noise, then a toe scuff; each one
    varies the surface (filter cut-offs, resonance, lengths, grit)."""
    rng = random.Random(4000 + i)
    sec = 0.26
    out = silence(sec)
    heel_fc = rng.uniform(350, 2200)
    heel = biquad(envelope(noise(rng, 0.12), 0.0015, rng.uniform(0.010, 0.024)), "lp",
                  heel_fc, rng.uniform(0.7, 1.6))
    mix(out, heel, 0.0, 1.0)
    mix(out, damped_sine(rng.uniform(70, 150), rng.uniform(0.012, 0.03), 0.1, 0.6,
                         attack=0.002), 0.0)
    toe_at = rng.uniform(0.045, 0.085)
    toe = biquad(envelope(noise(rng, 0.08), 0.002, rng.uniform(0.006, 0.016)), "bp",
                 rng.uniform(900, 3500), rng.uniform(0.8, 2.5))
    mix(out, toe, toe_at, rng.uniform(0.35, 0.7))
    if i % 3 == 0:  # gravel-ish grit on some surfaces
        for _ in range(rng.randint(5, 10)):
            mix(out, click(rng, rng.uniform(0.5, 1.2), 0.015),
                rng.uniform(0.0, toe_at + 0.04), rng.uniform(0.05, 0.18))
    out = biquad(out, "hp", 50)
    return fade(normalize(out, -5.0), 0.0, 0.03)


def make_teleport_start() -> list[float]:
    """Rising whoosh, ~0.9 s, faded at both ends: the client loops it during the glide."""
    rng = random.Random(5005)
    sec = 0.9
    x = noise(rng, sec)
    x = biquad(x, "bp", lambda t: 300 * (4000 / 300) ** (t / sec), 3.0)
    tone = damped_sine(220, 0, sec, 0.12, glide_to=1100)
    mix(x, tone, 0.0)
    x = [v * math.sin(math.pi * i / len(x)) ** 1.5 for i, v in enumerate(x)]
    return normalize(x, -3.0)


def make_teleport() -> list[float]:
    """Landing: a falling whoosh into a soft low thump; ~0.75 s."""
    rng = random.Random(6006)
    sec = 0.75
    out = silence(sec)
    w_len = 0.36
    w = biquad(noise(rng, w_len), "bp", lambda t: 3500 * (220 / 3500) ** (t / w_len), 2.5)
    w = [v * math.sin(math.pi * (0.5 * i / len(w) + 0.0)) ** 0.8 * (0.3 + 0.7 * i / len(w))
         for i, v in enumerate(w)]
    mix(out, w, 0.0, 1.0)
    land = 0.32
    mix(out, damped_sine(110, 0.09, 0.4, 1.0, glide_to=50, attack=0.003), land)
    thud = biquad(envelope(noise(rng, 0.3), 0.002, 0.04), "lp", 400)
    mix(out, thud, land, 0.7)
    return fade(normalize(out, -3.0), 0.01, 0.05)


def make_wall() -> list[float]:
    """Dull bump when blocked: low, falling thud with a muffled noise body; ~0.3 s."""
    rng = random.Random(7007)
    out = silence(0.3)
    mix(out, damped_sine(150, 0.045, 0.3, 1.0, glide_to=60, attack=0.002), 0.0)
    body = biquad(envelope(noise(rng, 0.2), 0.001, 0.025), "lp", 350, 1.2)
    mix(out, body, 0.0, 1.2)
    knock = biquad(envelope(noise(rng, 0.06), 0.0005, 0.006), "bp", 700, 2.0)
    mix(out, knock, 0.0, 0.5)
    return fade(normalize(out, -3.0), 0.0, 0.03)


# clock intro/outro pieces ------------------------------------------------------

def make_hour1() -> list[float]:
    """Top-of-hour intro: ascending three-note chime (E5 G5 C6) then a short pause
    before "it's …"."""
    x = chord_notes((E5, G5, C6), 0.22, 1.35, 0.35)
    return fade(normalize(x, -3.0), 0.0, 0.15) + silence(0.12)


def make_hour2() -> list[float]:
    """Top-of-hour outro: a pause after the phrase, then one low clock-bell strike
    (C4 with a G3 body) ringing out."""
    low = bell(261.63, 1.6, tau=0.6,
               partials=((1.0, 1.0, 1.0), (2.0, 0.5, 0.7), (2.76, 0.25, 0.4),
                         (5.4, 0.12, 0.15), (0.5, 0.35, 1.2)))
    return silence(0.18) + fade(normalize(low, -3.0), 0.0, 0.3)


def make_announcement(b: Builder) -> list[float]:
    """Alarm intro: a quick two-tone attention chime, then the word "Alarm"."""
    chime = silence(0.55)
    mix(chime, bell(987.77, 0.5, tau=0.18), 0.0)
    mix(chime, bell(1318.51, 0.42, tau=0.18), 0.13)
    chime = fade(normalize(chime, -3.0), 0.0, 0.05)
    return chime + silence(0.05) + b.speak("Alarm", tail=0.25)


def make_alarm() -> list[float]:
    """Alarm outro: three groups of four fast beeps (a classic alarm-clock pattern)."""
    beep_len, beep_gap, group_gap = 0.07, 0.05, 0.22
    groups = 3
    total = 0.15 + groups * 4 * (beep_len + beep_gap) + (groups - 1) * group_gap
    out = silence(total)
    t = 0.15
    for _g in range(groups):
        for _b in range(4):
            beep = silence(beep_len)
            for h, g in ((1, 1.0), (3, 0.25), (5, 0.1)):  # soft square-ish
                mix(beep, damped_sine(1000 * h, 0, beep_len, g), 0.0)
            mix(out, fade(beep, 0.004, 0.008), t)
            t += beep_len + beep_gap
        t += group_gap
    return normalize(out, -4.0)


# speech samples: file stem -> text given to eSpeak NG.  `0` is only used for hour 0 in
# 24-hour mode ("it's zero oh seven" = 00:07), so it says "zero"; 12-hour mode uses 12.
SPEECH = {"its": "it's", "o": "oh", "AM": "A.M.", "PM": "P.M."}
SPEECH.update({str(n): str(n) for n in list(range(0, 21)) + [30, 40, 50]})
SPEECH["0"] = "zero"


def build(b: Builder, only: set[str] | None) -> None:
    def want(name: str) -> bool:
        return not only or name in only

    simple = {
        "roll.ogg": make_roll,
        "spin.ogg": make_spin,
        "clock.ogg": make_clock,
        "logon.ogg": make_logon,
        "logout.ogg": make_logout,
        "notify.ogg": make_notify,
        "action.ogg": make_action,
        "teleport_start.ogg": make_teleport_start,
        "teleport.ogg": make_teleport,
        "wall.ogg": make_wall,
        "clock/el640/hour1.ogg": make_hour1,
        "clock/el640/hour2.ogg": make_hour2,
        "clock/el640/alarm.ogg": make_alarm,
    }
    for name, fn in simple.items():
        if want(name):
            b.save(name, fn())
    for i in range(1, 12):
        if want(f"step-{i}.ogg"):
            b.save(f"step-{i}.ogg", make_step(i))
    if want("clock/el640/announcement.ogg"):
        b.save("clock/el640/announcement.ogg", make_announcement(b))
    for stem, text in SPEECH.items():
        name = f"clock/el640/{stem}.ogg"
        if want(name):
            b.save(name, b.speak(text))


def all_names() -> list[str]:
    names = ["roll.ogg", "spin.ogg", "clock.ogg", "logon.ogg", "logout.ogg", "notify.ogg",
             "action.ogg", "teleport_start.ogg", "teleport.ogg", "wall.ogg"]
    names += [f"step-{i}.ogg" for i in range(1, 12)]
    names += [f"clock/el640/{s}.ogg" for s in
              list(SPEECH) + ["hour1", "hour2", "announcement", "alarm"]]
    return names


def check_tools() -> None:
    missing = [t for t in ("sox", "espeak-ng") if shutil.which(t) is None]
    if missing:
        sys.exit(f"error: {', '.join(missing)} not found on PATH.\nInstall with:\n{INSTALL_HINT}")
    res = subprocess.run(["sox", "-h"], capture_output=True, text=True)
    if "vorbis" not in (res.stdout + res.stderr).lower():
        sys.exit("error: this sox cannot write Ogg Vorbis (format 'vorbis' missing from "
                 f"`sox -h`).\nInstall with:\n{INSTALL_HINT}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT,
                    help=f"output folder (default: {DEFAULT_OUT.relative_to(REPO)})")
    ap.add_argument("--only", nargs="+", metavar="NAME",
                    help="make only these files (paths relative to the output folder)")
    ap.add_argument("--list", action="store_true", help="list the file names and exit")
    args = ap.parse_args(argv)

    if args.list:
        print("\n".join(all_names()))
        return 0
    only = set(args.only) if args.only else None
    if only:
        unknown = only - set(all_names())
        if unknown:
            ap.error(f"unknown name(s): {', '.join(sorted(unknown))}")
    check_tools()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chgrid-sounds-") as tmp:
        b = Builder(args.out, Path(tmp))
        build(b, only)
    total = 0
    for p in b.written:
        size = p.stat().st_size
        total += size
        print(f"{size:8d}  {p.relative_to(args.out).as_posix()}")
    print(f"{total:8d}  total, {len(b.written)} files in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
