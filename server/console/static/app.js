// The console's shell: sign-in, the sections (#/runs, #/runs/ID, #/approvals, #/audit,
// #/usage) and the polling that keeps them live.
import { api, onAuthNeeded, setToken, token } from './api.js';
import { notify } from './text.js';
import { refreshRuns, showRun, showRunApprovals, onApprovalEvent } from './runs.js';
import { renderApprovals } from './approvals.js';
import { loadAudit, setRunFilter } from './audit.js';
import { refreshUsage } from './usage.js';

const $ = id => document.getElementById(id);
const views = ['runs', 'approvals', 'audit', 'usage'];
const pollMs = 2000;

let signedIn = false;
let approvalsKey = null;
let timer = 0;
let round = 0; // the latest poll: only it schedules the next, so polls never pile up
let unreachable = false;

function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, qs] = hash.split('?');
  const [view, arg] = path.split('/');
  let id = '';
  try { id = decodeURIComponent(arg || ''); } catch { id = ''; }
  return { view: views.includes(view) ? view : 'runs', arg: id, params: new URLSearchParams(qs || '') };
}

function show() {
  const r = route();
  for (const v of views) {
    $('view-' + v).hidden = v !== r.view;
    const tab = $('tab-' + v);
    if (v === r.view) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
  if (!signedIn) return;
  if (r.view === 'runs') showRun(r.arg);
  if (r.view === 'audit') {
    if (r.params.has('run')) setRunFilter(r.params.get('run'));
    loadAudit();
  }
  poll();
}

// poll refreshes the approvals and the visible section now and every pollMs.
async function poll() {
  const mine = ++round;
  clearTimeout(timer);
  if (!signedIn) return;
  const view = route().view;
  try {
    await refreshApprovals();
    if (view === 'runs') await refreshRuns();
    if (view === 'usage') await refreshUsage();
    if (unreachable) notify('');
    unreachable = false;
  } catch (e) {
    if (e.status !== 401) {
      unreachable = true;
      notify(`Cannot reach the kernel: ${e.message}`);
    }
  }
  if (signedIn && mine === round) timer = setTimeout(poll, pollMs);
}

async function refreshApprovals() {
  const list = await api('GET', '/v1/approvals');
  const key = list.map(a => a.id).join(',');
  if (key !== approvalsKey) {
    approvalsKey = key;
    renderApprovals(list, () => poll());
  }
  showRunApprovals(list, () => poll());
}

async function signIn() {
  try {
    const u = await api('GET', '/v1/usage');
    signedIn = true;
    notify('');
    $('login').hidden = true;
    $('tenant').textContent = `tenant ${u.tenant}`;
    $('sign-out').hidden = !token();
    show();
  } catch (e) {
    if (e.status !== 401) {
      notify(`Cannot reach the kernel: ${e.message}; trying again`);
      setTimeout(signIn, 3000);
    }
  }
}

onAuthNeeded(() => {
  const had = token() !== '';
  signedIn = false;
  clearTimeout(timer);
  setToken('');
  $('login-error').textContent = had ? 'That token was not accepted; enter another.' : '';
  $('login-error').hidden = !had;
  $('login').hidden = false;
  $('login-token').focus();
});

onApprovalEvent(() => { refreshApprovals().catch(() => {}); });

$('login-form').addEventListener('submit', e => {
  e.preventDefault();
  const t = $('login-token').value.trim();
  $('login-token').value = '';
  if (!t) return;
  setToken(t);
  signIn();
});

$('sign-out').addEventListener('click', () => {
  setToken('');
  location.reload();
});

$('audit-form').addEventListener('submit', e => { e.preventDefault(); loadAudit(); });
$('audit-more').addEventListener('click', () => loadAudit(true));
window.addEventListener('hashchange', show);

show();
signIn();
