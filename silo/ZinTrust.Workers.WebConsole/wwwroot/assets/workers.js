import { get, post, del } from './api.js';
import { h, text, number, when, badge, table, section, facts, pre } from './dom.js';
import { actionButton } from './app.js';
import { lineChart } from './chart.js';

const enc = encodeURIComponent;

function filtersFromHash() {
  const query = location.hash.split('?')[1] ?? '';
  return new URLSearchParams(query);
}

function setFilter(name, value) {
  const params = filtersFromHash();
  if (value) params.set(name, value); else params.delete(name);
  const query = params.toString();
  location.hash = '#/workers' + (query ? '?' + query : '');
}

/** Workers: name, status, version, queue, region, replicas, health, throughput; filtered by status, queue, region and name. */
export async function workersPage() {
  const filters = filtersFromHash();
  const query = new URLSearchParams({ limit: '100', includeInactive: 'true' });
  for (const name of ['status', 'queue', 'region']) if (filters.get(name)) query.set(name, filters.get(name));
  const list = await get('/api/workers?' + query);
  const search = (filters.get('name') ?? '').toLowerCase();
  const workers = list.workers.filter((w) => !search || w.name.toLowerCase().includes(search));
  // Live figures per worker (status: replicas and health; metrics: throughput), read in parallel.
  const details = await Promise.all(workers.map(async (w) => {
    const [status, metrics] = await Promise.all([
      get(`/api/workers/${enc(w.name)}/status`).catch(() => null),
      get(`/api/workers/${enc(w.name)}/metrics`).catch(() => null),
    ]);
    return { ...w, live: status, metrics };
  }));
  const filterBar = h('form', { class: 'filters', id: 'worker-filters', onsubmit: (e) => e.preventDefault() },
    h('label', {}, 'Name ', h('input', { name: 'name', value: filters.get('name') ?? '', onchange: (e) => setFilter('name', e.target.value.trim()) })),
    h('label', {}, 'Status ', h('select', { name: 'status', onchange: (e) => setFilter('status', e.target.value) },
      ['', 'running', 'stopped', 'failed', 'starting', 'stopping', 'paused'].map((s) => h('option', { value: s, selected: (filters.get('status') ?? '') === s }, s || 'any')))),
    h('label', {}, 'Queue ', h('input', { name: 'queue', value: filters.get('queue') ?? '', onchange: (e) => setFilter('queue', e.target.value.trim()) })),
    h('label', {}, 'Region ', h('input', { name: 'region', value: filters.get('region') ?? '', onchange: (e) => setFilter('region', e.target.value.trim()) })));
  return [
    h('h1', {}, 'Workers'),
    filterBar,
    table([
      { title: 'Name', cell: (w) => h('a', { href: `#/workers/${enc(w.name)}` }, w.name) },
      { title: 'Status', cell: (w) => [badge(w.live?.status ?? w.status), w.live?.paused ? [' ', badge('paused')] : null] },
      { title: 'Version', cell: (w) => text(w.version) },
      { title: 'Queue', cell: (w) => h('a', { href: `#/queues/${enc(w.queueName)}` }, w.queueName) },
      { title: 'Region', cell: (w) => text(w.region) },
      { title: 'Replicas', numeric: true, cell: (w) => number(w.live?.replicas?.length) },
      { title: 'Health', numeric: true, cell: (w) => (w.live?.healthScore ?? null) !== null ? [number(w.live.healthScore), ' ', badge(w.live.healthState)] : '—' },
      { title: 'Jobs/min', numeric: true, cell: (w) => number(w.metrics?.throughputPerMinute, 1) },
    ], details, { id: 'workers', key: (w) => w.name, empty: 'No workers match.' }),
    h('p', { class: 'muted' }, `${list.pagination.total} worker(s) in all.`),
  ];
}

/** One worker: definition, live status, health history, metrics, replicas, circuit, scaling, versions, canary, placement; actions. */
export async function workerPage(ctx, name) {
  const base = `/api/workers/${enc(name)}`;
  const [worker, status, metrics, history, circuit, scaling, versions, canary, placement] = await Promise.all([
    get(base),
    get(base + '/status'),
    get(base + '/metrics').catch(() => null),
    get(base + '/monitoring/history?limit=500').catch(() => null),
    get(base + '/circuit-breaker/state').catch(() => null),
    get(base + '/scaling').catch(() => null),
    get(base + '/versions').catch(() => null),
    get(base + '/canary/status').catch(() => null),
    get(base + '/placement').catch(() => null),
  ]);
  const definition = worker.worker ?? worker;
  const actions = h('div', { class: 'actions', id: 'worker-actions' },
    actionButton('Start', 'operator', `Start worker ${name}?`, () => post(base + '/start')),
    actionButton('Stop', 'operator', `Stop worker ${name}? Running jobs finish or go back to the queue.`, () => post(base + '/stop'), { danger: true }),
    actionButton('Restart', 'operator', `Restart worker ${name}?`, () => post(base + '/restart')),
    actionButton('Pause', 'operator', `Pause worker ${name}? Replicas stay up but take no new jobs.`, () => post(base + '/pause')),
    actionButton('Resume', 'operator', `Resume worker ${name}?`, () => post(base + '/resume')),
    actionButton('Scale', 'operator', `Scale worker ${name} to how many replicas? The auto-scaler holds off meanwhile.`,
      (v) => post(base + '/scale', { replicas: v.replicas, holdMinutes: v.holdMinutes }),
      { fields: [{ name: 'replicas', label: 'Replicas', type: 'number', value: status.replicas?.length || 1, min: 0, max: 1000 },
        { name: 'holdMinutes', label: 'Hold (minutes)', type: 'number', value: 30, min: 0, max: 1440 }] }));
  const samples = history?.samples ?? [];
  return [
    h('p', { class: 'crumbs' }, h('a', { href: '#/workers' }, 'Workers'), ' / ', name),
    h('h1', {}, name, ' ', badge(status.status, 'status'), status.paused ? [' ', badge('paused')] : null),
    actions,
    h('div', { class: 'columns' },
      section('Status', facts([
        ['Status', h('span', { id: 'worker-status' }, status.status)],
        ['Version', status.version],
        definition.queues?.length
          ? ['Queues (weight)', h('span', { id: 'worker-queues' }, definition.queues.map((q, i) => [i ? ', ' : '', h('a', { href: `#/queues/${enc(q.name)}` }, q.name), ` (${number(q.weight)})`]))]
          : ['Queue', h('a', { href: `#/queues/${enc(status.queueName)}` }, status.queueName)],
        ['Health score', `${number(status.healthScore)} (${text(status.healthState)})`],
        ['Completed / failed', `${number(status.completed)} / ${number(status.failed)}`],
        ['Success rate', status.successRate === null || status.successRate === undefined ? '—' : number(status.successRate, 1) + ' %'],
        ['In flight', number(status.inFlight)],
        ['Queue depth', status.queue ? `${number(status.queue.waiting)} waiting, ${number(status.queue.delayed)} delayed, ${number(status.queue.active)} active` : '—'],
        ['Last error', text(status.lastError)],
        status.failure ? ['Failed since', h('span', { id: 'worker-failure' }, `${when(status.failure.at)} (${status.failure.code}); restart to recover`)] : null,
      ])),
      section('Metrics', metrics ? facts([
        ['p50 / p95 / p99', `${number(metrics.p50Ms, 1)} / ${number(metrics.p95Ms, 1)} / ${number(metrics.p99Ms, 1)} ms`],
        ['Average', number(metrics.averageDurationMs, 1) + ' ms'],
        ['Throughput', number(metrics.throughputPerMinute, 1) + ' jobs/min'],
        ['Retried / dead-lettered / stalled', `${number(metrics.retried)} / ${number(metrics.deadLettered)} / ${number(metrics.stalled)}`],
      ]) : h('p', { class: 'muted' }, 'No metrics.'))),
    section('Health history', lineChart([
      { name: 'health score', points: samples.filter((s) => s.health).map((s) => ({ x: new Date(s.at), y: s.health.score })) },
      { name: 'in flight', points: samples.map((s) => ({ x: new Date(s.at), y: s.inFlight ?? 0 })) },
    ], { max: 100, label: 'health score over time' })),
    section('Replicas', table([
      { title: 'Replica', cell: (r) => r.id },
      { title: 'State', cell: (r) => badge(r.state) },
      { title: 'Silo', cell: (r) => text(r.silo) },
      { title: 'Concurrency', numeric: true, cell: (r) => number(r.concurrency) },
      { title: 'In flight', numeric: true, cell: (r) => number(r.inFlight) },
      { title: 'Completed', numeric: true, cell: (r) => number(r.completed) },
      { title: 'Failed', numeric: true, cell: (r) => number(r.failed) },
    ], status.replicas ?? [], { id: 'replicas', empty: 'No replica runs.' })),
    h('div', { class: 'columns' },
      section('Circuit breaker', circuit?.circuit ? [
        facts([['State', h('span', { id: 'circuit-state' }, badge(circuit.circuit.state))], ['Failures in window', number(circuit.circuit.failuresInWindow)],
          ['Opened at', when(circuit.circuit.openedAt)], ['Retry at', when(circuit.circuit.retryAt)]]),
        h('div', { class: 'actions' },
          actionButton('Reset circuit', 'operator', `Close the circuit of ${name} now?`, () => post(base + '/circuit-breaker/reset')),
          actionButton('Open circuit', 'operator', `Open the circuit of ${name} now? It takes no jobs until it closes.`, () => post(base + '/circuit-breaker/open'), { danger: true })),
      ] : h('p', { class: 'muted' }, 'No circuit breaker.')),
      section('Scaling', scaling ? [
        facts([['Replicas', number(scaling.replicas)], ['Auto-scaled', scaling.autoScaled ? 'yes' : 'no'],
          ['Bounds', scaling.bounds ? `${scaling.bounds.minReplicas}..${scaling.bounds.maxReplicas}` : '—'], ['Operator hold until', when(scaling.overrideUntil)]]),
        table([
          { title: 'At', cell: (d) => when(d.at) },
          { title: 'Source', cell: (d) => text(d.source) },
          { title: 'From → to', cell: (d) => `${text(d.from)} → ${text(d.to)}${d.applied ? '' : ' (not applied)'}` },
          { title: 'Reason', cell: (d) => text(d.reason) },
        ], (scaling.decisions ?? []).slice(-10).reverse(), { empty: 'No scaling decisions yet.' }),
      ] : h('p', { class: 'muted' }, 'No scaling state.'))),
    h('div', { class: 'columns' },
      section('Versions', versions ? table([
        { title: 'Version', cell: (v) => [v.version, v.active ? [' ', badge('active')] : null] },
        { title: 'Processor', cell: (v) => text(v.processor) },
        { title: 'Registered', cell: (v) => when(v.registeredAt) },
        { title: '', cell: (v) => v.active ? null : actionButton('Activate', 'admin', `Activate ${name} ${v.version} by a rolling update?`,
          () => post(`${base}/versions/${enc(v.version)}/activate`), { id: 'activate-' + v.version }) },
      ], versions.versions ?? [], { empty: 'No registered versions.' }) : h('p', { class: 'muted' }, 'No versions.')),
      section('Canary', canary ? [
        facts([['State', badge(canary.state)], ['Versions', `${canary.stableVersion} → ${canary.canaryVersion}`], ['Traffic', number(canary.trafficPercentage, 1) + ' %'],
          ['Step', `${number(canary.step)} of ${number(canary.steps?.length)}`], ['Health', number(canary.health)], ['Next step', when(canary.nextStepAt)],
          ['Stable', canary.versions?.stable ? `${number(canary.versions.stable.completed)} done, error rate ${number(canary.versions.stable.errorRate, 3)}, p95 ${number(canary.versions.stable.p95Ms, 1)} ms` : '—'],
          ['Canary', canary.versions?.canary ? `${number(canary.versions.canary.completed)} done, error rate ${number(canary.versions.canary.errorRate, 3)}, p95 ${number(canary.versions.canary.p95Ms, 1)} ms` : '—']]),
        canary.state === 'running' || canary.state === 'paused' ? h('div', { class: 'actions' },
          actionButton('Roll back canary', 'operator', `Send all traffic of ${name} back to the stable version?`, () => post(base + '/canary/rollback'), { danger: true })) : null,
      ] : h('p', { class: 'muted' }, 'No canary.'))),
    section('Placement', placement ? facts([
      ['Region', text(placement.region ?? 'any silo')],
      ['Failover', placement.failover ? `${placement.failover.primaryRegion} → ${placement.failover.secondaryRegion} (${placement.failoverState})` : '—'],
    ]) : h('p', { class: 'muted' }, 'Any silo.')),
    section('Definition', pre(definition)),
    actionButton('Delete worker', 'admin', `Delete worker ${name}? Its definition and history go; its queue's jobs stay.`, async () => {
      const answer = await del(base);
      location.hash = '#/workers';
      return answer;
    }, { danger: true, id: 'delete' }),
  ];
}
