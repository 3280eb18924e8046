import { useState } from "react";

const TYPE_GLYPH: Record<string, string> = { BLOG: "¶", VIDEO: "▶", IMAGE: "◧", AUDIO: "♪" };

/** Hue 0..359 derived from a string, so placeholders differ per item but never flicker. */
export function hueOf(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h % 360;
}

/**
 * An item's cover image in a fixed 16:9 frame. Until it loads, or when it cannot load,
 * a tinted panel with the item type's glyph stands in for it.
 */
export function Cover({ src, type, seed }: { src: string; type: string; seed: string }) {
  const [failed, setFailed] = useState(false);
  const hue = hueOf(seed);
  return (
    <div
      className="cover"
      style={{ background: `linear-gradient(135deg, hsl(${hue} 55% 78%), hsl(${(hue + 40) % 360} 60% 62%))` }}
    >
      <span className="cover__glyph" aria-hidden="true">
        {TYPE_GLYPH[type] ?? "•"}
      </span>
      {src && !failed && (
        <img src={src} alt="" loading="lazy" decoding="async" onError={() => setFailed(true)} />
      )}
    </div>
  );
}

export function TypeBadge({ type }: { type: string }) {
  return <span className={`badge badge--${type.toLowerCase()}`}>{type.charAt(0) + type.slice(1).toLowerCase()}</span>;
}
