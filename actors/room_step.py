"""One room message as an all-or-nothing step: database, then memory, then frames.

The room handles one message at a time. Everything that message changes goes through
the :class:`StepJournal`:

- memory changes record how to undo them (``put``/``pop``/``assign``/``on_undo``);
- frames wait in the outbox's queue, which a failed step cuts back to where it began;
- work for other actors and timers (``after_commit``) waits for the end of the step.

When the handler returns, the step commits: the outbox's queue is flushed in one batch
(one ``IOLoop`` callback), then the deferred work runs. When it raises, the step
rolls back: memory changes are undone newest first and nothing is sent, told or
scheduled. Database writes happen first inside a step (an acknowledged change is
committed before memory changes), so a step that fails after its write leaves the
database ahead of memory, never behind it: nothing acknowledged is ever lost.

``attempt`` is a savepoint for a part of a step that may fail without failing the rest
(the leave sequence must remove a player even when saving its position fails).

Flood-control tokens and movement budgets are charged outside the journal on purpose:
a request that fails still cost its sender, so failing requests cannot be repeated for
free.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import Protocol, TypeVar

log = logging.getLogger(__name__)

K = TypeVar("K")
V = TypeVar("V")
R = TypeVar("R")


class Outbox(Protocol):
    """Where committed frames go (``chgrid.web.outbox.Outbox`` in the server)."""

    def send(self, client_id: str, frame: str) -> None: ...

    def send_many(self, client_ids: tuple[str, ...], frame: str) -> None: ...

    def close(self, client_id: str, code: int = 1000, reason: str = "") -> None: ...

    def mark(self) -> int: ...

    def discard_to(self, mark: int) -> None: ...

    def flush(self) -> None: ...


class StepJournal:
    """The journal of the step in progress; one per room, used on the room's thread only."""

    def __init__(self, outbox: Outbox, name: str) -> None:
        self._outbox = outbox
        self._name = name
        self._undo: list[Callable[[], object]] = []
        self._after: list[Callable[[], object]] = []
        self._active = False

    # -- running a step -----------------------------------------------------------------

    def run(self, what: str, body: Callable[[], R]) -> R | None:
        """Run ``body`` as one step; a failure is logged and rolled back (None returned).

        A step started while another runs (a room method calling another) joins it.
        """
        if self._active:
            return body()
        self._active = True
        start = self._outbox.mark()
        try:
            result = body()
        except Exception:
            log.exception("room %s: %s failed; nothing of it was kept or sent", self._name, what)
            self._rollback_to(0, start, 0)
            return None
        finally:
            self._active = False
        self._commit()
        return result

    def _commit(self) -> None:
        # Deferred work may queue more (a restarted item actor, a retried tell): it
        # belongs to this step too, so loop until nothing is left.
        self._outbox.flush()
        while self._after:
            after, self._after = self._after, []
            for effect in after:
                try:
                    effect()
                except Exception:
                    # Memory and frames are committed; a tell that failed is only logged.
                    log.exception("room %s: work after a step failed", self._name)
            if self._outbox.mark():  # the deferred work queued frames of its own
                self._outbox.flush()
        self._undo = []

    def _rollback_to(self, undo_mark: int, frame_mark: int, after_mark: int) -> None:
        undo = self._undo[undo_mark:]
        del self._undo[undo_mark:]
        self._outbox.discard_to(frame_mark)
        del self._after[after_mark:]
        for restore in reversed(undo):
            try:
                restore()
            except Exception:
                log.exception("room %s: undoing a change failed", self._name)

    @contextmanager
    def attempt(self, what: str) -> Iterator[None]:
        """A savepoint: if the block raises, its changes, frames and deferred work are
        dropped, the failure is logged, and the step goes on."""
        marks = (len(self._undo), self._outbox.mark(), len(self._after))
        try:
            yield
        except Exception:
            log.exception("room %s: %s failed; the rest of the step goes on", self._name, what)
            self._rollback_to(*marks)

    # -- memory ---------------------------------------------------------------------------

    def on_undo(self, restore: Callable[[], object]) -> None:
        """Record how to undo a change made outside the helpers below."""
        self._undo.append(restore)

    def put(self, mapping: MutableMapping[K, V], key: K, value: V) -> None:
        """``mapping[key] = value``, undoable."""
        if key in mapping:
            previous = mapping[key]
            self._undo.append(lambda: mapping.__setitem__(key, previous))
        else:
            self._undo.append(lambda: mapping.pop(key, None))
        mapping[key] = value

    def pop(self, mapping: MutableMapping[K, V], key: K) -> V | None:
        """``mapping.pop(key, None)``, undoable."""
        if key not in mapping:
            return None
        value = mapping.pop(key)
        self._undo.append(lambda: mapping.__setitem__(key, value))
        return value

    def assign(self, obj: object, attribute: str, value: object) -> None:
        """``setattr(obj, attribute, value)``, undoable."""
        previous = getattr(obj, attribute)
        setattr(obj, attribute, value)
        self._undo.append(lambda: setattr(obj, attribute, previous))

    # -- frames and deferred work ---------------------------------------------------------

    def send(self, client_ids: tuple[str, ...], frame: str) -> None:
        """Queue an encoded frame for ``client_ids`` (sent when the step commits)."""
        self._outbox.send_many(client_ids, frame)

    def close(self, client_id: str, code: int, reason: str) -> None:
        """Queue a close, after the frames queued before it."""
        self._outbox.close(client_id, code, reason)

    def after_commit(self, effect: Callable[[], object]) -> None:
        """Run ``effect`` once the step has committed (tells to other actors, timers)."""
        self._after.append(effect)
