// Showing text that agents and policy wrote: always as text (textContent, never HTML), with
// control and direction-changing characters made visible, and long text cut.

const hidden = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

// visible returns s with invisible characters escaped (\u001b) and at most max characters.
export function visible(s, max = 4000) {
  s = String(s ?? '');
  let tail = '';
  if (s.length > max) {
    tail = ` … (${(s.length - max).toLocaleString()} more characters)`;
    s = s.slice(0, max);
  }
  return s.replace(hidden, c => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) + tail;
}

// el makes an element: props are set as properties (className, textContent, type, ...) or,
// for names with a dash, as attributes; children are nodes or strings (as text).
export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.includes('-')) e.setAttribute(k, String(v));
    else e[k] = v;
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return e;
}

// textCell is a table cell holding s as visible text.
export function textCell(s, className, max) {
  return el('td', { className, textContent: visible(s, max) });
}

// when formats an ISO time as a local time of day (with the date when not today).
export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}

// duration formats milliseconds: 40µs, 850ms, 12.3s, 4m 05s, 2h 03m.
export function duration(ms) {
  if (!(ms >= 0)) return '';
  if (ms < 1) return `${Math.round(ms * 1000)}µs`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

// count formats a count with the locale's grouping.
export function count(n) { return Number(n || 0).toLocaleString(); }

// dollars formats micro-dollars.
export function dollars(micro) { return '$' + (Number(micro || 0) / 1e6).toFixed(4); }

// badge is a status or decision badge.
export function badge(text, kind = text) {
  return el('span', { className: 'badge ' + String(kind).replace(/[^a-z]/g, ''), textContent: visible(text, 40) });
}

// notify shows a message in the page's status line until the next one (empty hides it).
export function notify(msg) {
  const n = document.getElementById('notice');
  n.textContent = visible(msg, 500);
  n.hidden = !msg;
}
