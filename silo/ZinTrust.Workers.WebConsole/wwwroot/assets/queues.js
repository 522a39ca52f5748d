import { get, post, del } from './api.js';
import { h, text, number, when, badge, table, section, facts, pre } from './dom.js';
import { actionButton } from './app.js';

const enc = encodeURIComponent;
const states = ['waiting', 'delayed', 'active', 'completed', 'failed', 'cancelled', 'waiting-children'];
const depthOf = (depth, state) => depth[state === 'waiting-children' ? 'waitingChildren' : state];   // the status's field names
const pageSize = 25;
const selections = new Map();   // queue -> ids chosen on its dead-letters page

/** Queues: depth by state; pause, resume, prune. */
export async function queuesPage() {
  const answer = await get('/api/queues');
  return [
    h('h1', {}, 'Queues'),
    table([
      { title: 'Queue', cell: (q) => [h('a', { href: `#/queues/${enc(q.queue)}` }, q.queue), q.paused ? [' ', badge('paused')] : null] },
      ...states.map((s) => ({ title: s === 'failed' ? 'dead-lettered' : s, numeric: true, cell: (q) => s === 'failed'
        ? h('a', { href: `#/queues/${enc(q.queue)}/dead-letters` }, number(q[s]))
        : h('a', { href: `#/queues/${enc(q.queue)}?state=${s}` }, number(depthOf(q, s))) })),
      { title: 'Enqueued (since)', numeric: true, cell: (q) => `${number(q.counters?.enqueued)} (${when(q.counters?.since)})` },
      { title: '', cell: (q) => h('div', { class: 'actions' },
        q.paused
          ? actionButton('Resume', 'operator', `Resume queue ${q.queue}?`, () => post(`/api/queues/${enc(q.queue)}/resume`), { id: 'resume-' + q.queue })
          : actionButton('Pause', 'operator', `Pause queue ${q.queue}? Nothing is leased from it until it resumes.`, () => post(`/api/queues/${enc(q.queue)}/pause`), { id: 'pause-' + q.queue }),
        actionButton('Prune', 'operator', `Delete completed and cancelled jobs of ${q.queue} finished more than how many hours ago?`,
          (v) => post(`/api/queues/${enc(q.queue)}/prune?hours=${enc(v.hours)}`),
          { id: 'prune-' + q.queue, fields: [{ name: 'hours', label: 'Hours', type: 'number', value: 168, min: 0, max: 87600 }] })) },
    ], answer.queues ?? [], { id: 'queues', key: (q) => q.queue, empty: 'No queues yet: create a worker.' }),
  ];
}

/** A queue's jobs in one state, a page at a time, with lookup by id. */
export async function jobsPage(ctx, queue, params) {
  const state = states.includes(params.get('state')) ? params.get('state') : 'waiting';
  const offset = Math.max(0, Number.parseInt(params.get('offset') ?? '0', 10) || 0);
  const [depth, list] = await Promise.all([
    get(`/api/queues/${enc(queue)}`),
    get(`/api/queues/${enc(queue)}/jobs?state=${state}&offset=${offset}&limit=${pageSize}`),
  ]);
  const link = (s, o) => `#/queues/${enc(queue)}?state=${s}&offset=${o}`;
  const total = depthOf(depth, state) ?? 0;
  return [
    h('p', { class: 'crumbs' }, h('a', { href: '#/queues' }, 'Queues'), ' / ', queue),
    h('h1', {}, queue, depth.paused ? [' ', badge('paused')] : null),
    depth.limits ? h('p', { class: 'muted', id: 'queue-limits' }, 'Limits: ',
      [depth.limits.globalConcurrency ? `at most ${number(depth.limits.globalConcurrency)} running at once` : null,
        depth.limits.rateLimit ? `at most ${number(depth.limits.rateLimit.max)} starts per ${number(depth.limits.rateLimit.durationMs / 1000, 3)} s` : null,
        depth.limits.rateLimitedUntil ? `held back until ${when(depth.limits.rateLimitedUntil)}` : null,
        depth.limits.groupConcurrency ? `at most ${number(depth.limits.groupConcurrency)} of one group at once` : null,
        depth.limits.groups ? `${number(depth.limits.groups)} group(s) with jobs, taking turns` : null].filter(Boolean).join(' · ')) : null,
    h('form', { class: 'filters', id: 'job-lookup', onsubmit: (e) => {
      e.preventDefault();
      const id = new FormData(e.target).get('id').toString().trim();
      if (id) location.hash = `#/queues/${enc(queue)}/jobs/${enc(id)}`;
    } }, h('label', {}, 'Job id ', h('input', { name: 'id', required: true, spellcheck: 'false' })), h('button', { type: 'submit' }, 'Open')),
    h('nav', { class: 'tabs', 'aria-label': 'Job states' }, states.map((s) => h('a', {
      href: s === 'failed' ? `#/queues/${enc(queue)}/dead-letters` : link(s, 0),
      class: s === state ? 'current' : null,
    }, `${s === 'failed' ? 'dead-lettered' : s} (${number(depthOf(depth, s))})`))),
    table([
      { title: 'Id', cell: (j) => h('a', { href: `#/queues/${enc(queue)}/jobs/${enc(j.id)}` }, j.id) },
      { title: 'Name', cell: (j) => text(j.name) },
      { title: 'State', cell: (j) => badge(j.state) },
      { title: 'Attempts', numeric: true, cell: (j) => `${number(j.attempts)} / ${number(j.maxAttempts)}` },
      { title: 'Priority', numeric: true, cell: (j) => number(j.priority) },
      { title: 'Group', cell: (j) => text(j.group) },
      { title: 'Created', cell: (j) => when(j.createdAt) },
      { title: 'Finished', cell: (j) => when(j.finishedAt) },
      { title: 'Version', cell: (j) => text(j.version) },
    ], list.jobs ?? [], { id: 'jobs', key: (j) => j.id, empty: `No ${state} jobs.` }),
    h('p', { class: 'pager' },
      offset > 0 ? h('a', { href: link(state, Math.max(0, offset - pageSize)) }, '← Newer') : null, ' ',
      `${number(Math.min(total, offset + 1))}–${number(Math.min(total, offset + (list.jobs?.length ?? 0)))} of ${number(total)}`, ' ',
      offset + pageSize < total ? h('a', { href: link(state, offset + pageSize) }, 'Older →') : null),
  ];
}

/** One job: payload, result or error, attempts, progress, timestamps, version, its log; cancel or retry. */
export async function jobPage(ctx, queue, id) {
  const base = `/api/queues/${enc(queue)}/jobs/${enc(id)}`;
  const job = await get(base);
  const logs = job.logLines > 0 ? await get(base + '/logs') : null;
  const finished = ['completed', 'cancelled', 'failed'].includes(job.state);
  return [
    h('p', { class: 'crumbs' }, h('a', { href: '#/queues' }, 'Queues'), ' / ', h('a', { href: `#/queues/${enc(queue)}` }, queue), ' / ', id),
    h('h1', {}, 'Job ', h('code', {}, id), ' ', h('span', { id: 'job-state' }, badge(job.state))),
    h('div', { class: 'actions' },
      !finished ? actionButton('Cancel job', 'operator', `Cancel job ${id}?`, () => post(base + '/cancel'), { danger: true, id: 'cancel' }) : null,
      job.state === 'failed' ? actionButton('Retry job', 'operator', `Run dead-lettered job ${id} again?`, () => post(base + '/retry'), { id: 'retry' }) : null),
    h('div', { class: 'columns' },
      section('Job', facts([
        ['Queue', queue], ['Name', job.name], ['State', job.state], ['Attempts', `${number(job.attempts)} of ${number(job.maxAttempts)}`],
        ['Progress', job.progress === null || job.progress === undefined ? '—' : number(job.progress) + ' %'], ['Priority', number(job.priority)],
        ['Version', job.version], ['Group', job.group], ['Stalls', number(job.stalls)], ['Idempotency key', job.idempotencyKey], ['Failure reason', job.failureReason],
      ])),
      section('Timestamps', facts([
        ['Created', when(job.createdAt)], ['Run at', when(job.runAt)], ['Started', when(job.startedAt)], ['Finished', when(job.finishedAt)], ['Updated', when(job.updatedAt)],
      ]))),
    job.error ? section('Error', h('pre', { class: 'json error', id: 'job-error' }, text(job.error))) : null,
    job.parent ? h('p', { id: 'job-parent' }, 'Child ', number(job.parent.index), ' of ',
      h('a', { href: `#/queues/${enc(job.parent.queue)}/jobs/${enc(job.parent.id)}` }, `${job.parent.queue} / ${job.parent.id}`)) : null,
    job.childrenExpected ? section(`Children (${number(job.children?.length ?? 0)} of ${number(job.childrenExpected)} settled)`, table([
      { title: '#', numeric: true, cell: (c) => number(c.index) },
      { title: 'Job', cell: (c) => h('a', { href: `#/queues/${enc(c.queue)}/jobs/${enc(c.id)}` }, `${c.queue} / ${c.id}`) },
      { title: 'State', cell: (c) => badge(c.state) },
      { title: 'Settled', cell: (c) => when(c.settledAt) },
      { title: 'Error', cell: (c) => text(c.error) },
    ], job.children ?? [], { id: 'job-children', key: (c) => String(c.index), empty: 'No child has settled yet.' })) : null,
    logs ? section('Log', logs.dropped ? h('p', { class: 'muted' }, `${number(logs.dropped)} older line(s) dropped`) : null,
      h('pre', { class: 'json', id: 'job-log' }, logs.lines.map((l) => `${when(l.time)}  #${l.attempt}  ${l.message}`).join('\n'))) : null,
    section('Result', h('div', { id: 'job-result' }, pre(job.result))),
    section('Payload', pre(job.payload)),
    job.headers ? section('Headers', pre(job.headers)) : null,
  ];
}

/** Dead letters of a queue: retry chosen ones or all, delete them (admin). */
export async function deadLettersPage(ctx, queue) {
  const base = `/api/queues/${enc(queue)}/dead-letters`;
  const list = await get(base + '?limit=100');
  const jobs = list.jobs ?? [];
  // The choice survives the page's live refreshes (ids no longer dead-lettered drop out).
  const selected = selections.get(queue) ?? new Set();
  selections.set(queue, selected);
  for (const id of [...selected]) if (!jobs.some((j) => j.id === id)) selected.delete(id);
  const chosen = () => {
    const ids = [...selected];
    selected.clear();   // acted on: the next refresh starts with nothing chosen
    return ids;
  };
  const withIds = (ids) => (ids.length > 0 ? { ids } : {});
  return [
    h('p', { class: 'crumbs' }, h('a', { href: '#/queues' }, 'Queues'), ' / ', h('a', { href: `#/queues/${enc(queue)}` }, queue), ' / dead letters'),
    h('h1', {}, 'Dead letters of ', queue),
    h('div', { class: 'actions' },
      actionButton('Retry selected (or all)', 'operator', 'Run the selected dead-lettered jobs again (all of them when none is selected)?',
        () => post(base + '/retry', withIds(chosen())), { id: 'retry-dead-letters' }),
      actionButton('Delete selected (or all)', 'admin', 'Delete the selected dead-lettered jobs (all of them when none is selected)? This cannot be undone.',
        () => del(base, withIds(chosen())), { danger: true, id: 'delete-dead-letters' })),
    table([
      { title: '', cell: (j) => h('input', { type: 'checkbox', value: j.id, checked: selected.has(j.id), 'aria-label': 'select ' + j.id,
        onchange: (e) => (e.target.checked ? selected.add(j.id) : selected.delete(j.id)) }) },
      { title: 'Id', cell: (j) => h('a', { href: `#/queues/${enc(queue)}/jobs/${enc(j.id)}` }, j.id) },
      { title: 'Attempts', numeric: true, cell: (j) => number(j.attempts) },
      { title: 'Reason', cell: (j) => text(j.failureReason) },
      { title: 'Error', cell: (j) => h('span', { class: 'clip' }, text(j.error)) },
      { title: 'Finished', cell: (j) => when(j.finishedAt) },
    ], jobs, { id: 'dead-letters', key: (j) => j.id, empty: 'No dead letters.' }),
  ];
}
