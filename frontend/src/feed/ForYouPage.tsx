export function ForYouPage() {
  return <h1>For you</h1>;
}
