// The kernel's API as the console calls it: every request carries the tab's bearer token in
// the Authorization header (never in a URL); a 401 asks the page to sign in again.

const tokenKey = 'aios.token';

let authNeeded = () => {};

// onAuthNeeded sets what happens when the API answers 401.
export function onAuthNeeded(f) { authNeeded = f; }

export function token() { return sessionStorage.getItem(tokenKey) || ''; }

export function setToken(t) {
  if (t) sessionStorage.setItem(tokenKey, t);
  else sessionStorage.removeItem(tokenKey);
}

// ApiError is a response with an error status; message is the server's explanation.
export class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

function headers(extra) {
  const h = new Headers(extra);
  const t = token();
  if (t) h.set('Authorization', 'Bearer ' + t);
  return h;
}

// api sends a request (body, when given, as JSON) and returns the decoded JSON response.
export async function api(method, path, body) {
  const init = { method, headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }), cache: 'no-store', credentials: 'omit' };
  if (body !== undefined) init.body = JSON.stringify(body);
  const resp = await fetch(path, init);
  const text = await resp.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (resp.status === 401) authNeeded();
  if (!resp.ok) throw new ApiError(resp.status, (data && typeof data.error === 'string') ? data.error : `${resp.status} ${resp.statusText}`);
  return data;
}

const finalStatus = new Set(['exited', 'failed', 'canceled']);

// maxPending bounds the text of one event still being received; the server's events are far
// smaller, so more means the stream is not what it should be.
const maxPending = 8 << 20;

function pause(ms, signal) {
  return new Promise(resolve => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}

// follow reads a run's server-sent events with fetch (EventSource cannot send an Authorization
// header), calls onEvent with each event's data, and reconnects with Last-Event-ID when the
// stream ends before the run's final status (the server drops a client that falls behind).
// It returns when the final status has come, on 401 or 404, or when signal aborts.
export async function follow(runId, onEvent, signal) {
  let last = 0;
  let failures = 0;
  for (;;) {
    if (signal.aborted) return;
    const h = headers({ Accept: 'text/event-stream' });
    if (last > 0) h.set('Last-Event-ID', String(last));
    let resp;
    try {
      resp = await fetch(`/v1/runs/${encodeURIComponent(runId)}/events`, { headers: h, signal, cache: 'no-store', credentials: 'omit' });
    } catch {
      if (signal.aborted) return;
      await pause(Math.min(500 * 2 ** failures++, 10000), signal);
      continue;
    }
    if (resp.status === 401) { authNeeded(); return; }
    if (!resp.ok) throw new ApiError(resp.status, `event stream: ${resp.status} ${resp.statusText}`);
    let ended = false;
    try {
      const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let cut;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const ev = parseEvent(block);
          if (!ev) continue;
          if (ev.id > last) last = ev.id;
          failures = 0;
          onEvent(ev.data);
          if (ev.data.type === 'status' && finalStatus.has(ev.data.status)) ended = true;
        }
        if (buf.length > maxPending) { await reader.cancel(); break; }
      }
    } catch {
      if (signal.aborted) return;
    }
    if (ended) return;
    await pause(Math.min(250 * 2 ** failures++, 10000), signal);
  }
}

// parseEvent reads one server-sent event block: its id and its JSON data; null when it has
// none (a comment) or its data is not JSON.
function parseEvent(block) {
  let id = 0;
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('id:')) id = Number(line.slice(3).trim()) || 0;
    else if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
  }
  if (data.length === 0) return null;
  try {
    const d = JSON.parse(data.join('\n'));
    return d && typeof d === 'object' ? { id, data: d } : null;
  } catch {
    return null;
  }
}
