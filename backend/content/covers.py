"""Cover images drawn by the project: one SVG per item, at ``/covers/<item id>.svg``.

An item without an image URL of its own gets this cover (``cover_url`` is the one place
that decides), so the catalogue never needs an image from outside. The drawing depends
only on the item's id, title, type and category: colours from the category, a glyph for
the type, the title's initials, and a pattern placed by the id. No fonts or images are
loaded: the text uses the reader's own sans-serif font.
"""

from __future__ import annotations

import hashlib
from xml.sax.saxutils import escape

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.utils import timezone

from backend.content.models import ContentItem

__all__ = ["COVER_MAX_AGE", "cover_svg", "cover_url", "item_cover"]

# A cover changes only when its item's title, type or category does: a month of caching.
COVER_MAX_AGE = 30 * 86_400
WIDTH, HEIGHT = 640, 360

# One simple shape per type, centred on (0, 0), about 120 px across.
_GLYPHS = {
    "blog": (
        '<rect x="-48" y="-60" width="96" height="120" rx="8"/>'
        '<g stroke-width="8" stroke-linecap="round" fill="none" class="ink">'
        '<path d="M-28 -32h56M-28 -10h56M-28 12h56M-28 34h32"/></g>'
    ),
    "video": '<circle r="58"/><path class="ink" d="M-18 -30L34 0L-18 30Z"/>',
    "image": (
        '<rect x="-64" y="-48" width="128" height="96" rx="8"/>'
        '<path class="ink" d="M-52 36L-16 -4L8 20L24 6L52 36Z"/>'
        '<circle class="ink" cx="28" cy="-20" r="10"/>'
    ),
    "audio": (
        '<g stroke-width="10" stroke-linecap="round" class="ink-stroke">'
        '<path d="M-50 -14v28M-30 -36v72M-10 -22v44M10 -50v100M30 -28v56M50 -10v20"/></g>'
    ),
}


def cover_url(item_id: int, image_url: str = "") -> str:
    """The item's own image if it has one, otherwise the cover drawn for it."""
    return image_url or reverse("item-cover", args=[item_id])


def _hue(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:2], "big") % 360


def _initials(title: str) -> str:
    # After a "Watch: " or "Podcast: " prefix, and ignoring small words and numbers.
    core = title.split(": ", 1)[-1] if title.count(": ") else title
    words = [w for w in core.split() if w[:1].isalpha() and w.lower() not in _SMALL_WORDS]
    return "".join(w[0].upper() for w in words[:2]) or "•"


_SMALL_WORDS = {"a", "an", "the", "and", "of", "to", "for", "in", "on", "at", "with", "my"}


def cover_svg(item_id: int, title: str, type: str, category: str) -> str:
    """The SVG document of an item's cover."""
    hue = _hue(category or "lupi")
    seed = hashlib.sha256(str(item_id).encode()).digest()
    circles = "".join(
        f'<circle cx="{seed[2 * k] * WIDTH // 255}" cy="{seed[2 * k + 1] * HEIGHT // 255}" '
        f'r="{40 + seed[10 + k] % 90}" opacity="0.{12 + seed[16 + k] % 12}"/>'
        for k in range(5)
    )
    glyph = _GLYPHS.get(type, _GLYPHS["blog"])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(title, _QUOTE)}">'
        f'<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">'
        f'<stop offset="0" stop-color="hsl({hue},55%,72%)"/>'
        f'<stop offset="1" stop-color="hsl({(hue + 40) % 360},60%,48%)"/></linearGradient></defs>'
        f"<style>.ink{{fill:hsl({hue},45%,30%)}}.ink-stroke{{stroke:#fff}}</style>"
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="url(#g)"/>'
        f'<g fill="#fff">{circles}</g>'
        f'<g transform="translate(200 180)" fill="#fff" opacity="0.92">{glyph}</g>'
        f'<text x="440" y="214" text-anchor="middle" font-family="system-ui, sans-serif" '
        f'font-size="104" font-weight="700" fill="#fff">{escape(_initials(title))}</text>'
        "</svg>"
    )


_QUOTE = {'"': "&quot;"}


async def item_cover(request: HttpRequest, item_id: int) -> HttpResponse:
    """``GET /covers/<id>.svg``: the cover of a published item; 404 for any other id."""
    row = await (
        ContentItem.objects.filter(
            pk=item_id, published_at__isnull=False, published_at__lte=timezone.now()
        )
        .values("title", "type", "category__name")
        .afirst()
    )
    if row is None:
        raise Http404("No such item.")
    svg = cover_svg(item_id, row["title"], row["type"], row["category__name"] or "")
    etag = '"' + hashlib.sha256(svg.encode()).hexdigest()[:32] + '"'
    headers = {"Cache-Control": f"public, max-age={COVER_MAX_AGE}", "ETag": etag}
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    for name, value in headers.items():
        response[name] = value
    response["X-Content-Type-Options"] = "nosniff"
    return response
