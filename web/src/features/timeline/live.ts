import type { UnreadEvent } from '@preau/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

/**
 * The live unread counter: one EventSource on `GET /api/timeline/stream` while someone is signed in. Each event
 * carries the unread count (in all and by kind); when it changes, the feed, the home page and the inbox are
 * refetched, so a new message shows up without reloading. The browser reconnects by itself when the stream ends.
 */
export function useLiveUnread(enabled: boolean): UnreadEvent | null {
  const [state, setState] = useState<UnreadEvent | null>(null);
  const qc = useQueryClient();
  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return;
    const source = new EventSource('/api/timeline/stream');
    let last: string | null = null;
    source.addEventListener('unread', (e) => {
      const data = (e as MessageEvent<string>).data;
      const event = JSON.parse(data) as UnreadEvent;
      setState(event);
      if (last !== null && last !== data) {
        void qc.invalidateQueries({ queryKey: ['timeline'] });
        void qc.invalidateQueries({ queryKey: ['home'] });
        void qc.invalidateQueries({ queryKey: ['messaging'] });
      }
      last = data;
    });
    return () => source.close();
  }, [enabled, qc]);
  return enabled ? state : null;
}
