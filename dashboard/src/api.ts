/** The dashboard's only way to its numbers: the service's JSON API with the bearer token. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export type Params = Record<string, string | undefined>;

export type Api = {
  get<T>(path: string, params?: Params, signal?: AbortSignal): Promise<T>;
  /** The zone sent as `tz`, or null once the service refused it (then answers are in UTC). */
  zone(): string | null;
};

const browserZone = (): string | null => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone ?? null;
  } catch {
    return null;
  }
};

async function problemOf(res: Response): Promise<ApiError> {
  let title = res.statusText || `HTTP ${res.status}`;
  let fields: { path: string; message: string }[] = [];
  try {
    const body = (await res.json()) as { title?: string; errors?: typeof fields };
    if (body.title) title = body.title;
    if (Array.isArray(body.errors)) fields = body.errors;
  } catch {
    /* not a problem+json body */
  }
  return new ApiError(res.status, title, fields);
}

/**
 * Sends the browser's time zone as `tz` (SPEC "Time zones"). A service that does not know the
 * zone (or predates `tz`) answers 400 naming it: the request is repeated without, and `tz` is
 * not sent again. A 401 goes to `onUnauthorized` (the token expired or was revoked).
 */
export function createApi(
  token: string,
  onUnauthorized: (err: ApiError) => void,
  fetchImpl: typeof fetch = (...a) => fetch(...a),
): Api {
  let zone = browserZone();
  const send = async (path: string, params: Params, signal?: AbortSignal): Promise<Response> => {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) query.set(k, v);
    if (zone) query.set('tz', zone);
    const qs = query.toString();
    return fetchImpl(qs ? `${path}?${qs}` : path, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      ...(signal ? { signal } : {}),
    });
  };
  const get = async <T>(path: string, params: Params = {}, signal?: AbortSignal): Promise<T> => {
    let res = await send(path, params, signal);
    if (res.status === 400 && zone) {
      const err = await problemOf(res.clone());
      if (err.fields.some((f) => f.path === 'tz') || /\btz\b/.test(err.message)) {
        zone = null;
        res = await send(path, params, signal);
      }
    }
    if (res.ok) return (await res.json()) as T;
    const err = await problemOf(res);
    if (res.status === 401) onUnauthorized(err);
    throw err;
  };
  return { get, zone: () => zone };
}
