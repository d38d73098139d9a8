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
  $('usage-cards').replaceChildren(...cards.map(([k, v]) => el('div', { className: 'card' }, el('div', { className: 'k', textContent: k }), el('div', { className: 'v', textContent: v }))));
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
  $('cores-head').replaceChildren(...cols.map(k => el('th', { scope: 'col', textContent: visible(k.replace(/_/g, ' '), 40) })));
  $('cores-body').replaceChildren(...list.map(c => el('tr', {}, ...cols.map(k => {
    const v = c[k];
    const text = v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return el('td', { className: typeof v === 'number' ? 'num' : '', textContent: visible(typeof v === 'number' ? v.toLocaleString() : text, 300) });
  }))));
  $('cores-pane').hidden = list.length === 0;
}
