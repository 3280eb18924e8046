import { plural } from "../lib/format";
import { useEffect, useState } from "react";
import { CatalogueFilters, type Catalogue } from "../components/CatalogueFilters";
import { DIVERSITY_DEFAULT, HALF_LIFE_CHOICES, HALF_LIFE_DEFAULT, type FeedSettings } from "./feedState";

/** Filters (type, category) and ranking knobs (diversity, freshness) for the feed. */
export function FeedControls({
  catalogue,
  settings,
  onChange,
}: {
  catalogue: Catalogue;
  settings: FeedSettings;
  onChange: (next: FeedSettings) => void;
}) {
  // The slider moves freely; the feed re-queries once it rests.
  const [diversity, setDiversity] = useState(settings.diversity ?? DIVERSITY_DEFAULT);
  useEffect(() => setDiversity(settings.diversity ?? DIVERSITY_DEFAULT), [settings.diversity]);
  useEffect(() => {
    if (diversity === (settings.diversity ?? DIVERSITY_DEFAULT)) return;
    const t = window.setTimeout(() => onChange({ ...settings, diversity }), 350);
    return () => window.clearTimeout(t);
  }, [diversity]); // eslint-disable-line react-hooks/exhaustive-deps

  const custom = settings.type || settings.categoryId || settings.diversity !== null || settings.halfLifeDays !== null;

  return (
    <CatalogueFilters
      catalogue={catalogue}
      type={settings.type}
      categoryId={settings.categoryId}
      onType={(type) => onChange({ ...settings, type: type as FeedSettings["type"] })}
      onCategory={(categoryId) => onChange({ ...settings, categoryId })}
    >
      {/* htmlFor: otherwise the label would name its first labelable child, the <output>. */}
      <label htmlFor="diversity-knob">
        <span>
          Diversity knob <output>{Math.round(diversity * 100)}%</output>
        </span>
        <input
          type="range"
          id="diversity-knob"
          name="diversity"
          min={0}
          max={1}
          step={0.05}
          value={diversity}
          aria-valuetext={`${Math.round(diversity * 100)} percent`}
          onChange={(e) => setDiversity(Number(e.target.value))}
        />
      </label>
      <label>
        Freshness half-life
        <select
          name="halfLife"
          value={String(settings.halfLifeDays ?? HALF_LIFE_DEFAULT)}
          onChange={(e) => onChange({ ...settings, halfLifeDays: Number(e.target.value) })}
        >
          {HALF_LIFE_CHOICES.map((d) => (
            <option key={d} value={d}>
              {plural(d, "day")}
            </option>
          ))}
        </select>
      </label>
      {custom && (
        <button
          type="button"
          className="button button--ghost"
          onClick={() => onChange({ type: "", categoryId: "", diversity: null, halfLifeDays: null })}
        >
          Reset
        </button>
      )}
    </CatalogueFilters>
  );
}
