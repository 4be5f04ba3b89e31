"""The demo's simulated clock: stories (generators yielding the time of their next step) run in time order, with
`django.utils.timezone.now` set to each step's time while its action runs (see build.py)."""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

Story = Generator[dt.datetime, None, None]  # a document's story: yields the time of its next step


class Simulation:
    """Runs stories (generators yielding the time of their next step) in time order on a simulated clock."""

    def __init__(self, *, start: dt.datetime, end: dt.datetime) -> None:
        self.now = start
        self.end = end
        self._queue: list[tuple[dt.datetime, int, Story]] = []
        self._seq = 0
        self.steps = 0

    def spawn(self, at: dt.datetime, story: Story) -> None:
        if at > self.end:
            story.close()
            return
        heapq.heappush(self._queue, (at, self._seq, story))
        self._seq += 1

    def run(self) -> None:
        while self._queue:
            at, _seq, story = heapq.heappop(self._queue)
            self.now = max(at, self.now)
            self.steps += 1
            try:
                following = next(story)
            except StopIteration:
                continue
            self.spawn(max(following, self.now), story)

    @contextmanager
    def clock(self) -> Iterator[None]:
        with mock.patch.object(timezone, "now", self._now):
            yield

    def _now(self) -> dt.datetime:
        # in UTC, like the real timezone.now(): audit hashes cover the time's ISO text as read back from the DB
        return self.now.astimezone(dt.UTC)
