/**
 * A client of the live unread counter (`GET /api/timeline/stream`, server-sent events) over real HTTP, for tests
 * that run several app instances on one database (`app.listen`): each event is parsed as it arrives.
 */
export interface LiveStream {
  /** The next `unread` event (waits at most `timeoutMs`). */
  next(timeoutMs?: number): Promise<{ unread: number; kinds: Record<string, number> }>;
  close(): Promise<void>;
}

export async function openStream(baseUrl: string, cookie: string, query = ''): Promise<LiveStream> {
  const controller = new AbortController();
  const res = await fetch(`${baseUrl}/api/timeline/stream${query}`, {
    headers: { cookie, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  if (res.status !== 200 || !res.body) throw new Error(`stream answered ${res.status}: ${await res.text()}`);
  if (!res.headers.get('content-type')?.startsWith('text/event-stream')) throw new Error('not an event stream');
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const events: { unread: number; kinds: Record<string, number> }[] = [];
  const waiters: (() => void)[] = [];
  let buffer = '';
  let ended = false;
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut = buffer.indexOf('\n\n');
        while (cut >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const lines = block.split('\n');
          if (lines.includes('event: unread')) {
            const data = lines.find((l) => l.startsWith('data: '));
            if (data) events.push(JSON.parse(data.slice(6)));
            waiters.splice(0).forEach((w) => {
              w();
            });
          }
          cut = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted
    } finally {
      ended = true;
      waiters.splice(0).forEach((w) => {
        w();
      });
    }
  })();
  return {
    async next(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length === 0) {
        if (ended) throw new Error('the stream ended');
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('no event in time');
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return events.shift()!;
    },
    async close() {
      controller.abort();
    },
  };
}
