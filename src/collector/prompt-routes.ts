// The prompt versions API: prompts (and experiments) with their versions' figures in a window,
// one version's text, and two versions compared figure by figure. Reads only.

import { HttpError, sendJson, type Route } from '../capture/http-server';
import type { PromptQuery } from '../protocol/api';
import type { Store } from '../store/store';
import { num, str } from './url-params';

function promptQuery(url: URL): PromptQuery {
  const q: PromptQuery = { from: num(url, 'from'), to: num(url, 'to'), service: str(url, 'service') };
  if (q.from !== undefined && q.to !== undefined && q.to < q.from) throw new HttpError(400, 'invalid window', '`to` is before `from`');
  return q;
}

/** `<promptId>/<version>`: the id is hex; the version is whatever follows the first slash. */
function versionRef(url: URL, name: string): { promptId: string; version: string } {
  const raw = str(url, name);
  const slash = raw?.indexOf('/') ?? -1;
  if (raw === undefined || slash <= 0 || slash === raw.length - 1) {
    throw new HttpError(400, `invalid ${name}`, `expected ${name}=<promptId>/<version>`);
  }
  return { promptId: raw.slice(0, slash), version: raw.slice(slash + 1) };
}

export function promptRoutes(store: Store): Route[] {
  const prompts = () => store.queries.prompts;
  return [
    {
      method: 'GET',
      pattern: /^\/api\/prompts$/,
      handler: ({ res, url }) => sendJson(res, 200, prompts().list(promptQuery(url))),
    },
    {
      method: 'GET',
      pattern: /^\/api\/prompts\/compare$/,
      handler: ({ res, url }) => {
        const a = versionRef(url, 'a');
        const b = versionRef(url, 'b');
        const dto = prompts().compare(a, b, promptQuery(url));
        if (!dto) throw new HttpError(404, 'prompt version not found', `${a.promptId}/${a.version} or ${b.promptId}/${b.version}`);
        sendJson(res, 200, dto);
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/prompts\/(?<promptId>[^/]+)\/versions\/(?<version>[^/]+)$/,
      handler: ({ res, params }) => {
        let version: string;
        try {
          version = decodeURIComponent(params.version!);
        } catch {
          throw new HttpError(400, 'invalid version', 'not a valid percent-encoded string');
        }
        const dto = prompts().version(params.promptId!, version);
        if (!dto) throw new HttpError(404, 'prompt version not found', `${params.promptId}/${version}`);
        sendJson(res, 200, dto);
      },
    },
  ];
}
