"""Rendered page parts kept for the next reader who would get exactly the same [issue 17].

"Min plan" spent half its time rendering the plan's goals and actions, the same HTML on every visit. A page
part is cached under a key made of everything it depends on, never of who is reading:

    {{ cached_fragment("plan/_plan.html", page.body_key, plan_body, page, plan) }}

renders ``plan_body(page, plan)`` once and gives the same Markup again while the key is the same. The key is
the page's own (pages/plan.py: a digest of the version's whole content with its units and decisions, the
reader's words, how the actions are going), plus the language and the template source itself (a deploy with a
changed template makes new keys). So:

- Nothing is shown to the wrong person: who may read the page is decided before (pages/plan.py raises
  NotFound), and two readers share an entry only when their part would be the same, character for character.
  Reader-specific words (your own plan or someone else's) are in the key.
- A change shows at once: new content is a new key. Nothing has to be invalidated, in this process or
  any other, so the cache is in-process (each gunicorn worker its own) and needs no Redis. Keeping the parts
  out of Redis is deliberate too: they are plan texts (health and social data), kept only in the memory of
  the processes that show them, for at most ``TTL`` seconds, in at most ``MAX_ENTRIES`` entries.
- A key of None (the page could not vouch for its inputs) renders without the cache.

Concurrency: an entry is a finished string put in under a lock; two requests missing at once both render
and the second put wins with the same text.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import Flask, current_app
from flask_babel import get_locale
from markupsafe import Markup

MAX_ENTRIES = 256
TTL = 600.0  # seconds


class FragmentCache:
    def __init__(self, max_entries: int = MAX_ENTRIES, ttl: float = TTL, clock=time.monotonic) -> None:
        self.max_entries = max_entries
        self.ttl = ttl
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, Markup]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Markup | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None or found[0] < self._clock():
                if found is not None:
                    del self._entries[key]
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found[1]

    def put(self, key: str, value: Markup) -> None:
        with self._lock:
            self._entries[key] = (self._clock() + self.ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def _template_digest(app: Flask, name: str) -> str:
    """The source of the template a macro comes from, once per process."""
    digests: dict[str, str] = app.extensions.setdefault("fragment_template_digests", {})
    if name not in digests:
        source, _filename, _uptodate = app.jinja_env.loader.get_source(app.jinja_env, name)  # type: ignore[union-attr]
        digests[name] = hashlib.sha256(source.encode()).hexdigest()[:16]
    return digests[name]


def cached_fragment(template: str, key: str | None, macro: Callable[..., str], *args) -> Markup:
    """``macro(*args)`` (a macro of ``template``), from the cache when the same key, language and template
    source rendered it before."""
    if not key:
        return Markup(macro(*args))  # noqa: S704 (a macro's output, escaped by Jinja)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    name = getattr(macro, "name", "")
    full = "|".join((template, name, _template_digest(app, template), str(get_locale()), key))
    cache: FragmentCache = app.extensions["fragments"]
    found = cache.get(full)
    if found is None:
        found = Markup(macro(*args))  # noqa: S704 (a macro's output, escaped by Jinja)
        cache.put(full, found)
    return found


def init_app(app: Flask) -> None:
    app.extensions["fragments"] = FragmentCache()
    app.jinja_env.globals["cached_fragment"] = cached_fragment
