import { session, signOut, ApiError } from './api.js';
import { h } from './dom.js';
import { workersPage, workerPage } from './workers.js';
import { queuesPage, jobsPage, jobPage, deadLettersPage } from './queues.js';
import { resourcesPage, clusterPage, schedulesPage } from './system.js';

// The shell: who is signed in, the hash router, confirmations, notices and live refresh.
const routes = [
  [/^#\/workers\/?(?:\?.*)?$/, () => workersPage],
  [/^#\/workers\/([^/]+)$/, (m) => (ctx) => workerPage(ctx, decodeURIComponent(m[1]))],
  [/^#\/queues\/?$/, () => queuesPage],
  [/^#\/queues\/([^/]+)\/jobs\/([^/?]+)$/, (m) => (ctx) => jobPage(ctx, decodeURIComponent(m[1]), decodeURIComponent(m[2]))],
  [/^#\/queues\/([^/]+)\/dead-letters$/, (m) => (ctx) => deadLettersPage(ctx, decodeURIComponent(m[1]))],
  [/^#\/queues\/([^/?]+)(?:\?(.*))?$/, (m) => (ctx) => jobsPage(ctx, decodeURIComponent(m[1]), new URLSearchParams(m[2] ?? ''))],
  [/^#\/schedules$/, () => schedulesPage],
  [/^#\/resources$/, () => resourcesPage],
  [/^#\/cluster$/, () => clusterPage],
];

const main = document.getElementById('page');
let me = null;
let rendering = 0;

/** True when the signed-in key has this role (admin carries operator and viewer). */
export function can(role) {
  return me?.roles?.includes(role) ?? false;
}

/** Shows the service's answer (or error) in the notice bar. */
export function notify(message, kind = 'ok') {
  const notice = document.getElementById('notice');
  notice.className = 'notice ' + kind;
  notice.textContent = message;
  notice.hidden = false;
}

/**
 * Asks before an action; fields: [{ name, label, type, value, min, max }]. Resolves the field values, or null when cancelled.
 */
export function confirmAction(question, fields = []) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-text').textContent = question;
  const holder = document.getElementById('confirm-fields');
  holder.replaceChildren(...fields.map((f) => h('label', {}, f.label, h('input', { name: f.name, type: f.type ?? 'text', value: f.value, min: f.min, max: f.max, required: true }))));
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      if (dialog.returnValue !== 'ok') return resolve(null);
      const values = {};
      for (const input of holder.querySelectorAll('input')) values[input.name] = input.type === 'number' ? Number(input.value) : input.value;
      resolve(values);
    }, { once: true });
    dialog.returnValue = '';
    dialog.showModal();
  });
}

/**
 * An action button, shown only to a role that may use it (the API refuses others anyway): asks, calls, reports the
 * service's message, and re-renders the page.
 */
export function actionButton(label, role, question, run, options = {}) {
  if (!can(role)) return null;
  return h('button', {
    type: 'button',
    class: options.danger ? 'danger' : null,
    'data-action': options.id ?? label.toLowerCase().replace(/\s+/g, '-'),
    onclick: async (event) => {
      document.getElementById('notice').hidden = true;
      const values = await confirmAction(question, options.fields);
      if (values === null) return;
      event.target.disabled = true;
      try {
        const answer = await run(values);
        notify(answer?.message ?? options.done ?? 'Done.', 'ok');
      } catch (e) {
        notify(e instanceof ApiError ? `${e.message} (${e.code})` : String(e), 'error');
      } finally {
        event.target.disabled = false;
        render();
      }
    },
  }, label);
}

async function render() {
  const ticket = ++rendering;
  const hash = location.hash || '#/workers';
  const match = routes.map(([pattern, page]) => [hash.match(pattern), page]).find(([m]) => m);
  for (const link of document.querySelectorAll('nav a[data-section]')) {
    link.classList.toggle('current', hash.startsWith('#/' + link.dataset.section));
  }
  if (!match) {
    main.replaceChildren(h('h1', {}, 'Not found'), h('p', {}, 'No page at ', hash, '. ', h('a', { href: '#/workers' }, 'Workers')));
    return;
  }
  try {
    const content = await match[1](match[0])({ can });
    if (ticket === rendering) main.replaceChildren(...[content].flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));   // no "null" for a part a page leaves out
  } catch (e) {
    if (ticket !== rendering) return;
    main.replaceChildren(h('h1', {}, 'This page could not be loaded'),
      h('p', { class: 'error' }, e instanceof ApiError ? `${e.message} (${e.code})` : String(e)));
  }
}

// Live updates: the job event stream re-renders the page (at most once a second); a slow poll covers the rest.
function live() {
  const dot = document.getElementById('live');
  let pending = null;
  // Not while someone is typing or confirming: a refresh would replace what they are working on.
  const busy = () => document.getElementById('confirm').open || ['INPUT', 'SELECT', 'TEXTAREA'].includes(document.activeElement?.tagName);
  const soon = () => {
    if (pending) return;
    pending = setTimeout(() => { pending = null; if (!busy()) render(); }, 1000);
  };
  const kinds = ['enqueued', 'leased', 'completed', 'retried', 'deadlettered', 'stalled', 'cancelled', 'revived', 'deleted'];
  const source = new EventSource('/api/events?type=' + kinds.join(','));
  source.onopen = () => { dot.classList.add('on'); dot.title = 'Live: job events stream in'; };
  source.onerror = () => { dot.classList.remove('on'); dot.title = 'Reconnecting to the job events…'; };
  source.onmessage = soon;
  for (const type of kinds) source.addEventListener(type, soon);
  setInterval(() => { if (!document.hidden) soon(); }, 10_000);
}

async function start() {
  me = await session();
  if (!me.signedIn) {
    location.assign('signin?returnUrl=' + encodeURIComponent(location.pathname + location.hash));
    return;
  }
  document.getElementById('who').textContent = `${me.name} (${me.roles.includes('admin') ? 'admin' : me.roles.includes('operator') ? 'operator' : 'viewer'})`;
  document.getElementById('dashboard-link').hidden = !me.dashboard;
  document.getElementById('signout').addEventListener('click', async () => {
    await signOut();
    location.assign('signin');
  });
  window.addEventListener('hashchange', () => {
    document.getElementById('notice').hidden = true;
    render();
  });
  await render();
  live();
}

start();
