// The collector's HTTP API as the e2e tests read it: a GET that fails loudly with the answer.
export async function getJson<T>(port: number, p: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}${p}`);
  if (!res.ok) throw new Error(`GET ${p}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
