// Pending approvals: the calls policy holds until an operator answers them.
import { api } from './api.js';
import { el, visible, textCell, when, notify } from './text.js';

// answerButtons are Approve and Deny buttons for approval a; done runs after the answer.
export function answerButtons(a, done) {
  const what = `${visible(a.call, 80)} by ${visible(a.agent, 80)}`;
  const approve = el('button', { type: 'button', className: 'approve', textContent: 'Approve', 'aria-label': `Approve ${what}`, 'data-approval': a.id, 'data-answer': 'approve' });
  const deny = el('button', { type: 'button', className: 'deny', textContent: 'Deny', 'aria-label': `Deny ${what}`, 'data-approval': a.id, 'data-answer': 'deny' });
  const answer = ok => async () => {
    approve.disabled = deny.disabled = true;
    try {
      await api('POST', `/v1/approvals/${encodeURIComponent(a.id)}`, { approve: ok });
      notify('');
    } catch (e) {
      notify(e.status === 404 ? 'That call no longer waits: it was answered, timed out, or its run ended.' : `Answer failed: ${e.message}`);
    }
    done();
  };
  approve.addEventListener('click', answer(true));
  deny.addEventListener('click', answer(false));
  return [approve, deny];
}

// argsText is a call's arguments as indented JSON.
export function argsText(args) {
  if (!args || Object.keys(args).length === 0) return '';
  try { return JSON.stringify(args, null, 2); } catch { return ''; }
}

// renderApprovals fills the approvals table with list.
export function renderApprovals(list, done) {
  const rows = list.map(a => el('tr', { 'data-approval-row': a.id },
    el('td', { className: 'nowrap', textContent: when(a.created) }),
    textCell(a.agent),
    el('td', {}, el('a', { className: 'mono', href: '#/runs/' + encodeURIComponent(a.run_id), textContent: visible(a.run_id, 80) })),
    textCell(a.call, 'mono'),
    el('td', {}, el('pre', { className: 'args', textContent: visible(argsText(a.args), 4000) })),
    el('td', { className: 'nowrap' }, el('div', { className: 'actions' }, ...answerButtons(a, done)))));
  document.getElementById('approvals-body').replaceChildren(...rows);
  document.getElementById('approvals-empty').hidden = list.length > 0;
  const c = document.getElementById('approval-count');
  c.textContent = String(list.length);
  c.hidden = list.length === 0;
}
