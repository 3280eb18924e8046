export default function InsightsPage() {
  return <h1>Creator insights</h1>;
}
