import { useState } from "react";
import { useMutation } from "urql";
import { errorText } from "../components/Status";
import { CreateExperimentMutation } from "./operations";
import { SOURCES, emptyForm, emptyVariant, experimentInput, type ExperimentForm, type SourceMode, type VariantForm } from "./experimentsData";

/** The form for a new (draft) experiment: its name and its variants' shares and configurations. */
export function CreateExperimentForm({ onCreated }: { onCreated: (id: string) => void }) {
  const [form, setForm] = useState<ExperimentForm>(emptyForm);
  const [problem, setProblem] = useState<string | null>(null);
  const [{ fetching }, create] = useMutation(CreateExperimentMutation);

  const setVariant = (i: number, change: Partial<VariantForm>) =>
    setForm((f) => ({ ...f, variants: f.variants.map((v, j) => (j === i ? { ...v, ...change } : change.isControl ? { ...v, isControl: false } : v)) }));

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const built = experimentInput(form);
    if ("error" in built) return setProblem(built.error);
    setProblem(null);
    const result = await create({ input: built.input });
    if (result.error) return setProblem(errorText(result.error));
    if (result.data) {
      setForm(emptyForm());
      onCreated(result.data.createExperiment.experimentId);
    }
  }

  return (
    <form onSubmit={submit} aria-label="New experiment" noValidate>
      <div className="grid-2">
        <label className="field">
          <span className="field__label">Name</span>
          <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} placeholder="fresher-feed" required />
        </label>
        <label className="field">
          <span className="field__label">Description</span>
          <input value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />
        </label>
      </div>
      <p className="muted">Surface: For you. Shares are of the surface's readers; readers past them keep the default.</p>
      {form.variants.map((v, i) => (
        <fieldset key={i} className="variant-fieldset">
          <legend>Variant {i + 1}</legend>
          <div className="variant-grid">
            <label className="field">
              <span className="field__label">Variant name</span>
              <input value={v.name} onChange={(e) => setVariant(i, { name: e.target.value })} />
            </label>
            <label className="field">
              <span className="field__label">Traffic share (%)</span>
              <input inputMode="decimal" value={v.sharePercent} onChange={(e) => setVariant(i, { sharePercent: e.target.value })} />
            </label>
            <label className="field">
              <span className="field__label">Sources</span>
              <select value={v.mode} onChange={(e) => setVariant(i, { mode: e.target.value as SourceMode })}>
                <option value="default">The ranking's own mix</option>
                <option value="mix">A fixed mix</option>
                <option value="bandit">The bandit</option>
              </select>
            </label>
            <label className="field">
              <span className="field__label">Diversity (0–1)</span>
              <input inputMode="decimal" value={v.diversity} placeholder="default" onChange={(e) => setVariant(i, { diversity: e.target.value })} />
            </label>
            <label className="field">
              <span className="field__label">Freshness half-life (days)</span>
              <input inputMode="decimal" value={v.freshnessDays} placeholder="default" onChange={(e) => setVariant(i, { freshnessDays: e.target.value })} />
            </label>
            <label className="field field--inline">
              <input type="radio" name="control" checked={v.isControl} onChange={() => setVariant(i, { isControl: true })} /> Control
            </label>
          </div>
          {v.mode === "mix" && (
            <div className="variant-grid">
              {SOURCES.map((s) => (
                <label key={s.key} className="field">
                  <span className="field__label">{s.label} weight (0–1)</span>
                  <input inputMode="decimal" value={v.mix[s.key]} onChange={(e) => setVariant(i, { mix: { ...v.mix, [s.key]: e.target.value } })} />
                </label>
              ))}
            </div>
          )}
          {form.variants.length > 2 && (
            <button type="button" className="button button--ghost" onClick={() => setForm({ ...form, variants: form.variants.filter((_, j) => j !== i) })}>
              Remove variant {i + 1}
            </button>
          )}
        </fieldset>
      ))}
      <div className="form-actions">
        <button
          type="button"
          className="button button--ghost"
          onClick={() => setForm({ ...form, variants: [...form.variants, emptyVariant(`variant-${form.variants.length + 1}`, false, "")] })}
        >
          Add a variant
        </button>
        <button type="submit" className="button" disabled={fetching}>
          Create draft
        </button>
        {problem && (
          <p className="form-error" role="alert">
            {problem}
          </p>
        )}
      </div>
    </form>
  );
}
