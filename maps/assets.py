"""Offline assets: rewrite folium's CDN links to the vendored copies under ``maps/static``.

folium elements declare their JS/CSS as ``default_js``/``default_css`` lists of (name, URL)
pointing at CDNs. :func:`localize` walks a map's element tree and replaces each URL with a local
one under a configurable prefix (default ``/maps/static/``, which the API serves); links to
libraries the maps do not use (jQuery, Bootstrap, Font Awesome, awesome-markers) are dropped.
Our own elements name their assets ``vc:PATH`` (PATH relative to ``maps/static``).
An unknown remote URL is an error: the HTML must make no request to the Internet.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from branca.element import Element, Figure

from villagecov.errors import ConfigError

STATIC_DIR = Path(__file__).resolve().parent / "static"
DEFAULT_PREFIX = "/maps/static/"
LOCAL_SCHEME = "vc:"

# CDN file name -> path under maps/static (file names are stable across CDN hosts and versions).
_BY_FILENAME: dict[str, str] = {
    "leaflet.js": "leaflet/leaflet.js",
    "leaflet.css": "leaflet/leaflet.css",
    "leaflet.markercluster.js": "leaflet.markercluster/leaflet.markercluster.js",
    "MarkerCluster.css": "leaflet.markercluster/MarkerCluster.css",
    "MarkerCluster.Default.css": "leaflet.markercluster/MarkerCluster.Default.css",
    "Control.FullScreen.js": "leaflet.fullscreen/Control.FullScreen.js",
    "Control.FullScreen.min.js": "leaflet.fullscreen/Control.FullScreen.js",
    "Control.FullScreen.css": "leaflet.fullscreen/Control.FullScreen.css",
    "Control.MiniMap.js": "leaflet-minimap/Control.MiniMap.min.js",
    "Control.MiniMap.min.js": "leaflet-minimap/Control.MiniMap.min.js",
    "Control.MiniMap.css": "leaflet-minimap/Control.MiniMap.min.css",
    "Control.MiniMap.min.css": "leaflet-minimap/Control.MiniMap.min.css",
    "L.Map.Sync.js": "leaflet.sync/L.Map.Sync.js",
    "L.Map.Sync.min.js": "leaflet.sync/L.Map.Sync.js",
    "Leaflet.VectorGrid.bundled.min.js": "leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js",
    "Leaflet.VectorGrid.bundled.js": "leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js",
}
# folium defaults that none of our maps need (no Bootstrap widgets, no awesome-markers icons).
_DROP = re.compile(r"jquery|bootstrap|fontawesome|awesome|glyphicons", re.IGNORECASE)


def local_url(url: str, prefix: str = DEFAULT_PREFIX) -> str | None:
    """Local URL for a folium/CDN or ``vc:`` asset URL; ``None`` when the link is to be dropped.

    Raises :class:`~villagecov.errors.ConfigError` for a remote URL that is not vendored.
    """
    if not prefix.endswith("/"):
        prefix += "/"
    if url.startswith(LOCAL_SCHEME):
        rel = url[len(LOCAL_SCHEME) :]
        if not (STATIC_DIR / rel).is_file():
            raise ConfigError(f"asset {rel} is not in {STATIC_DIR}")
        return prefix + rel
    if not re.match(r"^(https?:)?//", url):
        return url  # already local
    if _DROP.search(url):
        return None
    name = url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
    rel = _BY_FILENAME.get(name)
    if rel is None:
        raise ConfigError(f"{url} is not vendored under maps/static: the map would need the Internet")
    return prefix + rel


def _walk(element: Element):
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)


def localize(element: Element, prefix: str = DEFAULT_PREFIX) -> Element:
    """Point every JS/CSS link of ``element``'s tree (and its figure) at local assets, in place."""
    roots = [element]
    root = element.get_root()
    if isinstance(root, Figure) and root is not element:
        roots.append(root)
    for top in roots:
        for el in _walk(top):
            for attr in ("default_js", "default_css"):
                links = getattr(el, attr, None)
                if not links:
                    continue
                kept = []
                for name, url in links:
                    new = local_url(url, prefix)
                    if new is not None:
                        kept.append((name, new))
                setattr(el, attr, kept)  # instance attribute: class defaults stay untouched
            if el.__class__.__name__ in ("JavascriptLink", "CssLink"):
                new = local_url(el.url, prefix)
                if new is not None:
                    el.url = new
    return element


def render_html(element: Element, prefix: str = DEFAULT_PREFIX) -> str:
    """The full HTML page of a map (or figure) with local assets only."""
    localize(element, prefix)
    root = element.get_root()
    html = root.render()
    leftovers = external_urls(html)
    if leftovers:
        raise ConfigError(f"map HTML still links to the Internet: {', '.join(sorted(leftovers))}")
    return html


_LINK = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)\s*=\s*["']((?:https?:)?//[^"']+)""", re.I)


def external_urls(html: str) -> set[str]:
    """URLs the page would load from another host (script/link/img/iframe tags)."""
    return set(_LINK.findall(html))


def copy_static(dest: Path) -> Path:
    """Copy the vendored assets (and our own JS/CSS) to ``dest``; returns ``dest``."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(STATIC_DIR, dest, ignore=shutil.ignore_patterns("*.sh"))
    return dest
