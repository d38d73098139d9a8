// The audit log: the policy's decisions on the tenant's agents, filtered, newest first.
import { api } from './api.js';
import { el, visible, textCell, when, duration, badge, notify } from './text.js';
import { argsText } from './approvals.js';

const $ = id => document.getElementById(id);

let next = 0;
let query = '';
let latest = 0; // the newest request: an older answer arriving late is dropped

// setRunFilter puts a run id in the filter form (from a run's "Audit of this run").
export function setRunFilter(id) {
  $('audit-run').value = id;
}

// loadAudit reads the form and shows the newest page of matching decisions; with more, the
// next older page is added below.
export async function loadAudit(more = false) {
  if (!more) {
    const f = new FormData($('audit-form'));
    const q = new URLSearchParams();
    for (const k of ['call', 'decision', 'agent', 'run']) {
      const v = String(f.get(k) || '').trim();
      if (v) q.set(k, v);
    }
    const back = Number(f.get('since'));
    if (back > 0) q.set('since', new Date(Date.now() - back * 1000).toISOString());
    q.set('limit', '100');
    query = q.toString();
    next = 0;
  }
  const q = new URLSearchParams(query);
  if (more && next) q.set('before', String(next));
  const mine = ++latest;
  let page;
  try {
    page = await api('GET', '/v1/audit?' + q.toString());
  } catch (e) {
    if (e.status !== 401 && mine === latest) notify(`Audit log: ${e.message}`);
    return;
  }
  if (mine !== latest) return;
  notify('');
  const rows = (page.entries || []).map(entryRow);
  if (more) $('audit-body').append(...rows);
  else $('audit-body').replaceChildren(...rows);
  $('audit-empty').hidden = $('audit-body').children.length > 0;
  next = page.next || 0;
  $('audit-more').hidden = !next;
}

function entryRow(e) {
  const decision = e.allow ? 'allow' : 'deny';
  const args = argsText(e.args);
  const reason = el('td', { className: 'reason' }, visible(e.reason, 2000));
  if (args) reason.append(el('pre', { className: 'args', textContent: visible(args, 4000) }));
  return el('tr', { 'data-audit-id': String(e.id), 'data-decision': decision },
    el('td', { className: 'nowrap', title: e.time, textContent: when(e.time) }),
    textCell(e.agent, '', 120),
    textCell(e.call, 'mono', 120),
    el('td', {}, badge(decision)),
    reason,
    textCell(obligations(e.obligations), 'mono', 500),
    el('td', { className: 'num', textContent: duration((e.eval_ns || 0) / 1e6) + (e.cached ? ' (cached)' : '') }));
}

function obligations(o) {
  if (!o) return '';
  const parts = [];
  if (o.max_tokens) parts.push(`max_tokens=${o.max_tokens}`);
  if (o.core_class) parts.push(`core_class=${o.core_class}`);
  if (o.confirm) parts.push('confirm');
  if (o.redact && o.redact.length) parts.push(`redact=${o.redact.join(',')}`);
  return parts.join(' ');
}
