import { useBalancedColumns } from "./balancedColumns";

/** Figures as a row of cards (label, value), in columns that leave no card alone on a row. */
export function MetricCards({
  figures,
  className = "totals",
  label,
}: {
  figures: readonly (readonly [string, string])[];
  className?: string;
  label?: string;
}) {
  const { ref, style } = useBalancedColumns<HTMLDListElement>(figures.length, 9);
  return (
    <dl ref={ref} className={className} style={style} aria-label={label} data-testid="metric-cards">
      {figures.map(([name, value]) => (
        <div key={name} className="card">
          <dt>{name}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
