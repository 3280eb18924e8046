import { plural } from "../lib/format";
import { Chart } from "react-chartjs-2";
import { cssVar, withAlpha } from "../charts/setup";
import { trendSeries, type DailyPointLike } from "./insightsData";

/** Daily views as bars, CTR as a line on its own axis; days without impressions are gaps. */
export function TrendChart({ points }: { points: DailyPointLike[] }) {
  const s = trendSeries(points);
  const accent = cssVar("--accent", "#1f9cee");
  const summary = `${plural(s.views.reduce((a, b) => a + b, 0), "view")} over ${plural(s.labels.length, "day")}`;
  return (
    <div className="chart chart--trend" role="img" aria-label={`Daily views and CTR: ${summary}`}>
      <Chart
        type="bar"
        data={{
          labels: s.labels,
          datasets: [
            {
              type: "bar" as const,
              label: "Views",
              data: s.views,
              backgroundColor: withAlpha(accent, 0.55),
              borderColor: accent,
              borderWidth: 1,
              yAxisID: "y",
              order: 2,
            },
            {
              type: "line" as const,
              label: "CTR (%)",
              data: s.ctr,
              borderColor: "#e15759",
              backgroundColor: "#e15759",
              spanGaps: false,
              pointRadius: 2,
              tension: 0.25,
              yAxisID: "ctr",
              order: 1,
            },
          ],
        }}
        options={{
          animation: false,
          interaction: { mode: "index", intersect: false },
          scales: {
            x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 12 } },
            y: { beginAtZero: true, title: { display: true, text: "views" }, ticks: { precision: 0 } },
            ctr: {
              position: "right",
              beginAtZero: true,
              grid: { drawOnChartArea: false },
              title: { display: true, text: "CTR %" },
            },
          },
          plugins: { legend: { position: "bottom" } },
        }}
      />
    </div>
  );
}
