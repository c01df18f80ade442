export function LeasesPage() {
  return <h1>Leases</h1>;
}
