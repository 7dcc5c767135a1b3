/**
 * A random (version 4) UUID, the form the ingestion API requires for event ids.
 *
 * `crypto.randomUUID` exists only in secure contexts (https, localhost), so plain-http pages
 * fall back to `crypto.getRandomValues`, and environments without Web Crypto to `Math.random`
 * (ids stay unique enough for dedup, just not unguessable).
 */
export function uuid(): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c?.randomUUID) return c.randomUUID();
  const b = new Uint8Array(16);
  if (c?.getRandomValues) c.getRandomValues(b);
  else for (let i = 0; i < 16; i++) b[i] = (Math.random() * 256) | 0;
  b[6] = ((b[6] as number) & 15) | 64; // version 4
  b[8] = ((b[8] as number) & 63) | 128; // RFC 4122 variant
  const h = Array.from(b, (x) => (x + 256).toString(16).slice(1)).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
