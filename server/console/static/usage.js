// Usage: what the tenant's finished runs used, and the LLM cores when the server reports them.
import { api } from './api.js';
import { el, visible, count, dollars } from './text.js';

const $ = id => document.getElementById(id);

// refreshUsage fetches GET /v1/usage and, when the server has it, GET /v1/cores.
export async function refreshUsage() {
  const t = await api('GET', '/v1/usage');
  const u = t.usage || {};
  const cards = [
    ['Runs kept', count(t.runs)], ['Runs finished', count(t.finished)], ['Calls', count(u.calls)],
    ['Denied', count(u.denied)], ['Generations', count(u.generations)], ['Tool calls', count(u.tool_calls)],
    ['Input tokens', count(u.input_tokens)], ['Output tokens', count(u.output_tokens)], ['Cost', dollars(u.cost)],
  ];
  const b = t.budget;
  if (b) {
    const limit = (n, f) => n > 0 ? `of ${f(n)}` : 'no limit';
    cards.push([`Budget tokens (${visible(b.period, 20)})`, count(b.tokens_used), limit(b.tokens_limit, count)],
      [`Budget cost (${visible(b.period, 20)})`, dollars(b.cost_used), limit(b.cost_limit, dollars)]);
  }
  $('usage-cards').replaceChildren(...cards.map(([k, v, sub]) => el('div', { className: 'card' },
    el('div', { className: 'k', textContent: k }), el('div', { className: 'v', textContent: v }),
    sub ? el('div', { className: 'k', textContent: sub }) : null)));
  let cores;
  try {
    cores = await api('GET', '/v1/cores');
  } catch (e) {
    if (e.status === 404 || e.status === 405) { $('cores-pane').hidden = true; return; }
    throw e;
  }
  showCores(cores);
}

// showCores draws whatever list of cores the server returns (an array, or the first array in
// an object) as a table of its scalar fields.
function showCores(data) {
  let list = Array.isArray(data) ? data : Object.values(data || {}).find(Array.isArray);
  if (!list) list = [];
  list = list.filter(c => c && typeof c === 'object').slice(0, 200);
  const cols = [];
  for (const c of list) for (const k of Object.keys(c)) if (!cols.includes(k) && cols.length < 12) cols.push(k);
  const numeric = k => list.some(c => typeof c[k] === 'number');
  $('cores-head').replaceChildren(...cols.map(k => el('th', { scope: 'col', className: numeric(k) ? 'num' : '', textContent: visible(k.replace(/_/g, ' '), 40) })));
  $('cores-body').replaceChildren(...list.map(c => el('tr', {}, ...cols.map(k => {
    const v = c[k];
    let text = '';
    if (typeof v === 'number') text = v.toLocaleString(undefined, { maximumFractionDigits: 2 });
    else if (Array.isArray(v)) text = v.length ? v.join(', ') : '—';
    else if (v !== undefined && v !== null) text = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return el('td', { className: numeric(k) ? 'num' : '', textContent: visible(text, 300) });
  }))));
  $('cores-pane').hidden = list.length === 0;
}
