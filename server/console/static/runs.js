// Runs: the tenant's runs with their status, and one run's log and token stream, live.
import { api, follow } from './api.js';
import { el, visible, textCell, when, duration, count, dollars, badge, notify } from './text.js';
import { answerButtons } from './approvals.js';

// What the page keeps of one run: the newest log lines and the newest token text.
const maxLines = 2000;
const maxTokenChars = 200000;
const levels = ['debug', 'info', 'warn', 'error'];

const $ = id => document.getElementById(id);

let runs = [];
let open = null; // { id, abort, tokens, flush, dropped, status }
let onApproval = () => {};

// onApprovalEvent sets what happens when the open run announces a call waiting for approval.
export function onApprovalEvent(f) { onApproval = f; }

// refreshRuns fetches the run list and redraws it.
export async function refreshRuns() {
  runs = await api('GET', '/v1/runs');
  drawRows(runs.slice().reverse().slice(0, 500));
  $('runs-empty').hidden = runs.length > 0;
  const active = runs.filter(r => r.status === 'running' || r.status === 'queued').length;
  $('runs-summary').textContent = `${count(active)} active · ${count(runs.length)} kept`;
  if (open) {
    const r = runs.find(x => x.id === open.id);
    if (r) showFacts(r);
  }
}

// rows are the table's rows by run id. A row is updated in place, its link kept, so that the
// redraw every poll neither moves the keyboard focus nor detaches what a pointer is on.
const rows = new Map();

function drawRows(list) {
  const body = $('runs-body');
  const keep = new Set();
  let prev = null;
  for (const r of list) {
    keep.add(r.id);
    const fresh = runRow(r);
    let tr = rows.get(r.id);
    if (!tr) {
      tr = fresh;
      rows.set(r.id, tr);
    } else {
      tr.className = fresh.className;
      const cells = [...fresh.children].slice(1);
      [...tr.children].slice(1).forEach((td, i) => {
        if (td.textContent !== cells[i].textContent) td.replaceWith(cells[i]);
      });
    }
    const want = prev ? prev.nextSibling : body.firstChild;
    if (want !== tr) body.insertBefore(tr, want);
    prev = tr;
  }
  for (const [id, tr] of rows) {
    if (!keep.has(id)) {
      tr.remove();
      rows.delete(id);
    }
  }
}

function runRow(r) {
  const started = r.started ? Date.parse(r.started) : NaN;
  const ended = r.ended ? Date.parse(r.ended) : Date.now();
  const u = r.usage;
  return el('tr', { 'data-run-id': r.id, className: open && open.id === r.id ? 'selected' : '' },
    el('td', {}, el('a', { className: 'mono', href: '#/runs/' + encodeURIComponent(r.id), title: r.id, textContent: shortId(r.id), 'aria-label': `Open run ${r.id}` })),
    textCell(r.name || '', '', 80),
    el('td', {}, badge(r.status)),
    el('td', { className: 'nowrap', textContent: when(r.started) }),
    el('td', { className: 'num', textContent: Number.isNaN(started) ? '' : duration(ended - started) }),
    el('td', { className: 'num', textContent: u ? `${count(u.input_tokens)} / ${count(u.output_tokens)}` : '…' }));
}

function shortId(id) {
  const s = visible(id, 80);
  return s.length > 14 ? s.slice(0, 14) + '…' : s;
}

// showRun opens run id's panel and follows its events; "" closes it.
export async function showRun(id) {
  if (open && open.id === id) return;
  if (open) open.abort.abort();
  open = null;
  $('run-none').hidden = !!id;
  $('run-open').hidden = !id;
  for (const tr of document.querySelectorAll('#runs-body tr')) tr.classList.toggle('selected', tr.dataset.runId === id);
  if (!id) return;
  const abort = new AbortController();
  const run = { id, abort, tokens: '', flushing: false, pending: [], drawing: false, lines: 0, dropped: 0 };
  open = run;
  $('run-id').textContent = visible(id, 80);
  $('run-name').textContent = '';
  $('run-log').replaceChildren();
  $('run-tokens').textContent = '';
  $('run-facts').replaceChildren();
  $('run-approvals').replaceChildren();
  $('run-audit').href = '#/audit?run=' + encodeURIComponent(id);
  $('run-cancel').onclick = () => cancel(id);
  try {
    showFacts(await api('GET', `/v1/runs/${encodeURIComponent(id)}`));
  } catch (e) {
    if (open !== run) return;
    line(run, 'error', e.status === 404 ? 'No such run: it is another tenant\'s, or the server has forgotten it.' : e.message);
    return;
  }
  follow(id, ev => { if (open === run) onEvent(run, ev); }, abort.signal)
    .catch(e => { if (open === run) line(run, 'error', `event stream: ${e.message}`); });
}

function onEvent(run, ev) {
  switch (ev.type) {
    case 'log': line(run, levels[ev.level] || 'info', ev.text); break;
    case 'token': tokens(run, ev.text || ''); break;
    case 'status': {
      const code = ev.exit_code === undefined ? '' : ` (exit code ${ev.exit_code})`;
      line(run, 'status', `${ev.status}${code}${ev.text ? ': ' + ev.text : ''}`);
      setStatus(ev.status);
      if (ev.status !== 'running') refreshRuns().catch(() => {});
      break;
    }
    case 'approval': line(run, 'approval', ev.text); onApproval(); break;
    case 'gap': line(run, 'gap', `events ${ev.missed_from}–${ev.missed_to} were dropped from the server's buffer`); break;
    default: line(run, ev.type === 'notice' ? 'notice' : 'info', ev.text);
  }
}

// line queues one log line; lines are drawn together at most every 50 ms, the newest maxLines
// kept, so that a flood of lines costs one layout per draw and not one per line.
function line(run, kind, text) {
  run.pending.push([kind, visible(text, 8000)]);
  if (run.pending.length > maxLines) {
    run.dropped += run.pending.length - maxLines;
    run.pending.splice(0, run.pending.length - maxLines);
  }
  if (run.drawing) return;
  run.drawing = true;
  setTimeout(() => drawLines(run), 50);
}

function drawLines(run) {
  run.drawing = false;
  if (open !== run) return;
  const log = $('run-log');
  const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
  const frag = document.createDocumentFragment();
  for (const [kind, text] of run.pending) {
    frag.append(el('div', { className: 'line ' + kind }, el('span', { className: 'lvl', textContent: kind }), el('span', { className: 'txt', textContent: text })));
  }
  run.lines += run.pending.length;
  run.pending = [];
  log.append(frag);
  let extra = run.lines - maxLines;
  if (extra > 0) {
    run.lines = maxLines;
    run.dropped += extra;
    let first = log.querySelector('.line:not(.dropped)');
    for (; extra > 0; extra--) {
      const next = first.nextSibling;
      first.remove();
      first = next;
    }
  }
  if (run.dropped > 0) {
    let head = log.querySelector('.dropped');
    if (!head) {
      head = el('div', { className: 'line dropped' }, el('span', { className: 'lvl', textContent: '…' }), el('span', { className: 'txt' }));
      log.prepend(head);
    }
    head.lastChild.textContent = `${count(run.dropped)} earlier lines not kept`;
  }
  if (atBottom) log.scrollTop = log.scrollHeight;
}

// tokens appends streamed text, keeping the newest maxTokenChars, drawn at most every 50 ms.
function tokens(run, text) {
  run.tokens += text;
  if (run.tokens.length > maxTokenChars) run.tokens = '…' + run.tokens.slice(run.tokens.length - maxTokenChars);
  if (run.flushing) return;
  run.flushing = true;
  setTimeout(() => {
    run.flushing = false;
    if (open !== run) return;
    const pre = $('run-tokens');
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    pre.textContent = visible(run.tokens, maxTokenChars + 1);
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  }, 50);
}

function setStatus(status) {
  const b = $('run-status');
  b.className = 'badge ' + String(status).replace(/[^a-z]/g, '');
  b.textContent = visible(status, 40);
  $('run-cancel').hidden = !(status === 'running' || status === 'queued');
}

function showFacts(r) {
  $('run-name').textContent = visible(r.name || 'agent', 80);
  setStatus(r.status);
  const u = r.usage;
  const started = r.started ? Date.parse(r.started) : NaN;
  const ended = r.ended ? Date.parse(r.ended) : Date.now();
  const facts = [
    ['Started', when(r.started)],
    ['Duration', Number.isNaN(started) ? '' : duration(ended - started)],
    ['Exit code', r.exit_code === undefined ? '—' : String(r.exit_code)],
    ['Calls', u ? count(u.calls) : '…'],
    ['Denied', u ? count(u.denied) : '…'],
    ['Generations', u ? count(u.generations) : '…'],
    ['Tokens in / out', u ? `${count(u.input_tokens)} / ${count(u.output_tokens)}` : '…'],
    ['Cost', u ? dollars(u.cost) : '…'],
  ];
  if (r.error) facts.push(['Error', visible(r.error, 2000)]);
  $('run-facts').replaceChildren(...facts.map(([k, v]) => el('div', {}, el('dt', { textContent: k }), el('dd', { textContent: v }))));
}

// showRunApprovals lists, in the open run's panel, the calls of that run waiting for an answer.
export function showRunApprovals(list, done) {
  if (!open) return;
  const mine = list.filter(a => a.run_id === open.id);
  const box = $('run-approvals');
  const key = mine.map(a => a.id).join(',');
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  box.replaceChildren(...mine.map(a => el('div', { className: 'waiting-box' },
    el('span', { className: 'badge waiting', textContent: 'waiting' }),
    el('span', {}, `${visible(a.agent, 80)} asks to call `, el('code', { textContent: visible(a.call, 80) })),
    ...answerButtons(a, done))));
}

async function cancel(id) {
  try {
    await api('DELETE', `/v1/runs/${encodeURIComponent(id)}`);
  } catch (e) {
    notify(`Cancel failed: ${e.message}`);
  }
  refreshRuns().catch(() => {});
}
