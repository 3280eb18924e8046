import { useEffect, useRef, useState } from "react";
import { useMutation } from "urql";
import { graphql } from "../gql";
import { errorText } from "../components/Status";
import { useSession } from "../session/SessionContext";
import {
  applyTheme,
  clampFontSize,
  FONT_SIZE_MAX,
  FONT_SIZE_MIN,
  isHexColor,
  normaliseTheme,
  rememberTheme,
  type Theme,
} from "../lib/theme";
import { InterestsPicker } from "./InterestsPicker";
import { useTitle } from "../lib/useTitle";

const UpdatePreferencesMutation = graphql(`
  mutation UpdatePreferences($accentColor: String, $fontSize: Int) {
    updatePreferences(accentColor: $accentColor, fontSize: $fontSize) {
      id
      preferences {
        accentColor
        fontSize
      }
    }
  }
`);

export const SWATCHES = ["#1f9cee", "#7c3aed", "#db2777", "#e11d48", "#ea580c", "#16a34a", "#0d9488", "#334155"];
const SAVE_DELAY_MS = 400;

type SaveState = "idle" | "pending" | "saving" | "saved" | "error";

export default function PreferencesPage() {
  useTitle("Preferences");
  const { viewer } = useSession();
  const saved = normaliseTheme(viewer?.preferences);
  const [theme, setTheme] = useState<Theme>(saved);
  const [hexText, setHexText] = useState(saved.accentColor);
  const [state, setState] = useState<SaveState>("idle");
  const [{ error }, update] = useMutation(UpdatePreferencesMutation);
  const timer = useRef<number | undefined>(undefined);
  // Saves go one at a time, and a save overtaken by a newer change is skipped: two requests
  // in flight could reach the server in either order and keep the older theme.
  const queue = useRef<Promise<void>>(Promise.resolve());
  const latest = useRef(0);

  async function save(next: Theme, id: number) {
    if (id !== latest.current) return;
    setState("saving");
    const result = await update({ accentColor: next.accentColor, fontSize: next.fontSize });
    if (id !== latest.current) return;
    const prefs = result.data?.updatePreferences.preferences;
    if (prefs) {
      rememberTheme(normaliseTheme(prefs));
      setState("saved");
    } else {
      setState("error");
    }
  }

  // Live: the whole UI follows the draft at once; it is saved a moment after the last change.
  function change(next: Theme) {
    setTheme(next);
    applyTheme(next);
    setState("pending");
    const id = ++latest.current;
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      queue.current = queue.current.then(() => save(next, id));
    }, SAVE_DELAY_MS);
  }

  useEffect(() => () => window.clearTimeout(timer.current), []);

  const hexValid = isHexColor(hexText);
  const status: Record<SaveState, string> = {
    idle: "",
    pending: "Unsaved changes…",
    saving: "Saving…",
    saved: "Saved",
    error: "Not saved",
  };

  return (
    <section aria-labelledby="prefs-title" className="stack">
      <header className="page-header">
        <h1 id="prefs-title">Preferences</h1>
        <p className="muted">Changes apply at once and are saved to your account.</p>
      </header>

      <section className="card panel" aria-labelledby="look-title">
        <h2 id="look-title">Look</h2>
        <div className="field">
          <span className="field__label" id="accent-label">
            Accent colour
          </span>
          <div className="swatches" role="group" aria-labelledby="accent-label">
            {SWATCHES.map((c) => (
              <button
                key={c}
                type="button"
                className="swatch"
                style={{ background: c }}
                aria-label={`Accent ${c}`}
                aria-pressed={theme.accentColor === c}
                onClick={() => {
                  setHexText(c);
                  change({ ...theme, accentColor: c });
                }}
              />
            ))}
            <input
              type="color"
              aria-label="Pick any accent colour"
              value={theme.accentColor}
              onChange={(e) => {
                setHexText(e.target.value);
                change({ ...theme, accentColor: e.target.value.toLowerCase() });
              }}
            />
            <label className="inline-field">
              <span className="visually-hidden">Accent colour as hex</span>
              <input
                name="accentColor"
                value={hexText}
                aria-invalid={!hexValid}
                aria-describedby="accent-help"
                maxLength={7}
                size={8}
                onChange={(e) => {
                  const v = e.target.value.trim();
                  setHexText(v);
                  if (isHexColor(v)) change({ ...theme, accentColor: v.toLowerCase() });
                }}
              />
            </label>
          </div>
          <small id="accent-help" className={hexValid ? "muted" : "form-error"}>
            {hexValid ? "Any colour as #rrggbb." : "Use the form #rrggbb, e.g. #1f9cee."}
          </small>
        </div>
        <div className="field">
          <label htmlFor="font-size">
            Font size <output htmlFor="font-size">{theme.fontSize}px</output>
          </label>
          <input
            id="font-size"
            name="fontSize"
            type="range"
            min={FONT_SIZE_MIN}
            max={FONT_SIZE_MAX}
            step={1}
            value={theme.fontSize}
            onChange={(e) => change({ ...theme, fontSize: clampFontSize(Number(e.target.value)) })}
          />
        </div>
        <p className="preview">
          <button type="button" className="button button--primary" tabIndex={-1}>
            Preview button
          </button>{" "}
          <span className="chip">#preview</span> <a href="#look-title">A link</a>
        </p>
        <p role="status" aria-live="polite" className={state === "error" ? "form-error" : "muted"} data-testid="save-state">
          {status[state]}
          {state === "error" && error ? `: ${errorText(error)}` : ""}
        </p>
      </section>

      <section className="card panel" aria-labelledby="interests-title">
        <h2 id="interests-title">Interests</h2>
        <p className="muted">
          Follow categories and tags. New accounts get recommendations from these before they have any history.
        </p>
        <InterestsPicker />
      </section>
    </section>
  );
}
