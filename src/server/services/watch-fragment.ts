// Splits a watch response that exceeds max-request-bytes into fragments, for watchers that asked for
// it (etcd's sendFragments): every part but the last has `fragment` set, each part holds as many
// events as fit (at least one), and a response with a single event is never split.
import { etcdserverpb } from '../../api';

function size(response: etcdserverpb.WatchResponse): number {
  return etcdserverpb.WatchResponse.encode(response).finish().length;
}

export function fragmentResponse(response: etcdserverpb.WatchResponse, maxBytes: number): etcdserverpb.WatchResponse[] {
  if (response.events.length < 2 || size(response) < maxBytes) return [response];
  const parts: etcdserverpb.WatchResponse[] = [];
  let index = 0;
  while (index < response.events.length) {
    const part: etcdserverpb.WatchResponse = { ...response, events: [], fragment: true };
    while (index < response.events.length) {
      part.events.push(response.events[index]);
      if (part.events.length > 1 && size(part) >= maxBytes) {
        part.events.pop();
        break;
      }
      index++;
    }
    if (index === response.events.length) part.fragment = false;
    parts.push(part);
  }
  return parts;
}
