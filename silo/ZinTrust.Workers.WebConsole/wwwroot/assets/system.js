import { get, post } from './api.js';
import { h, text, number, when, badge, table, section, facts } from './dom.js';
import { actionButton } from './app.js';
import { lineChart } from './chart.js';

const mb = (bytes) => (bytes === null || bytes === undefined ? '—' : number(bytes / 1048576, 0) + ' MB');
/** Bytes per second in MB/s (a figure is null on a silo's first snapshot and where the platform does not tell). */
const rate = (bytes) => (bytes === null || bytes === undefined ? '—' : number(bytes / 1048576, 2) + ' MB/s');
const sum = (a, b) => (a === null || a === undefined) && (b === null || b === undefined) ? null : (a ?? 0) + (b ?? 0);

/** Resources and costs: the monitor's state, the cluster's alerts, each silo's latest snapshot, CPU and memory over time, the 24 h cost estimate. */
export async function resourcesPage() {
  const [status, history, costs, summary, alerts] = await Promise.all([
    get('/api/resources'),
    get('/api/resources/history?limit=500').catch(() => ({ snapshots: [] })),
    get('/api/resources/costs').catch(() => null),
    get('/api/workers/system/summary').catch(() => null),
    get('/api/resources/alerts?limit=50').catch(() => null),
  ]);
  const silos = [...new Set(history.snapshots.map((s) => s.silo))];
  const series = (pick, unit) => silos.map((silo) => ({ name: silo, unit, points: history.snapshots.filter((s) => s.silo === silo).map((s) => ({ x: new Date(s.at), y: pick(s) })) }));
  const cluster = summary?.summary?.resources;
  return [
    h('h1', {}, 'Resources and costs'),
    h('div', { class: 'actions' },
      status.running
        ? actionButton('Stop monitoring', 'operator', 'Stop the resource monitor? Workers that ask for it stay without samples.', () => post('/api/resources/stop'), { id: 'stop-monitor' })
        : actionButton('Start monitoring', 'operator', 'Start the resource monitor?', () => post('/api/resources/start'), { id: 'start-monitor' })),
    h('div', { class: 'columns' },
      section('Monitor', facts([
        ['Running', status.running ? 'yes' : 'no'], ['Why', status.detail], ['Interval', number(status.intervalSeconds) + ' s'],
        ['Last snapshot', when(status.lastSnapshotAt)], ['Requested by', status.requestingWorkers?.join(', ')],
      ])),
      section('Cluster now', cluster ? facts([
        ['Silos', number(cluster.silos)], ['CPU', number(cluster.cpuPercent, 1) + ' %'],
        ['Memory', `${mb(cluster.memoryUsedBytes)} of ${mb(cluster.memoryTotalBytes)}`], ['Grain activations', number(cluster.activations)],
        ['Disk I/O', rate(sum(cluster.diskReadBytesPerSecond, cluster.diskWriteBytesPerSecond))],
        ['Network', cluster.networkReceiveBytesPerSecond == null ? '—' : `${rate(cluster.networkReceiveBytesPerSecond)} in, ${rate(cluster.networkTransmitBytesPerSecond)} out`],
      ]) : h('p', { class: 'muted' }, 'No figures.'))),
    section('Alerts', alerts ? [
      alerts.resourceAlerts && !alerts.resourceAlerts.enabled ? h('p', { class: 'muted', id: 'resource-alerts-off' }, alerts.resourceAlerts.detail) : null,
      table([
        { title: 'Severity', cell: (a) => badge(a.severity) },
        { title: 'State', cell: (a) => (a.state === 'active' ? 'active' : 'resolved ' + when(a.resolvedAt)) },
        { title: 'Rule', cell: (a) => a.rule },
        { title: 'Subject', cell: (a) => a.subject },
        { title: 'Since', cell: (a) => when(a.since) },
        { title: 'Why', cell: (a) => (a.state === 'active' ? a.message : a.resolution) },
      ], alerts.alerts ?? [], { id: 'alerts', empty: alerts.enabled ? 'No alerts.' : 'Alerts are off (WORKER_ALERTS=false).' }),
    ] : h('p', { class: 'muted' }, 'Alerts could not be read.')),
    section('CPU (%)', lineChart(series((s) => s.cpuPercent, ' %'), { max: 100, label: 'CPU per silo' })),
    section('Memory used (MB)', lineChart(series((s) => s.memoryUsedBytes / 1048576, ' MB'), { label: 'memory per silo' })),
    section('Silos (latest snapshot)', table([
      { title: 'Silo', cell: (s) => s.silo },
      { title: 'At', cell: (s) => when(s.at) },
      { title: 'CPU', numeric: true, cell: (s) => number(s.cpuPercent, 1) + ' %' },
      { title: 'Memory', numeric: true, cell: (s) => mb(s.memoryUsedBytes) },
      { title: 'GC heap', numeric: true, cell: (s) => mb(s.gcHeapBytes) },
      { title: 'Thread pool queue', numeric: true, cell: (s) => number(s.threadPoolQueueLength) },
      { title: 'Disk read', numeric: true, cell: (s) => rate(s.diskReadBytesPerSecond) },
      { title: 'Disk write', numeric: true, cell: (s) => rate(s.diskWriteBytesPerSecond) },
      { title: 'Network in', numeric: true, cell: (s) => rate(s.networkReceiveBytesPerSecond) },
      { title: 'Network out', numeric: true, cell: (s) => rate(s.networkTransmitBytesPerSecond) },
      { title: 'Activations', numeric: true, cell: (s) => number(s.activations) },
    ], status.silos ?? [], { empty: 'No snapshots: the monitor runs while a running worker asks for it (features.resourceMonitoring).' })),
    section('Costs (last 24 h)', costs?.configured && costs.costs ? [
      facts([['Compute', `${number(costs.costs.compute, 4)} ${costs.costs.currency}`], ['Storage', `${number(costs.costs.storage, 4)} ${costs.costs.currency}`],
        ['Total', `${number(costs.costs.total, 4)} ${costs.costs.currency}`], ['Core hours', number(costs.costs.coreHours, 3)], ['GB hours', number(costs.costs.gbHours, 3)]]),
      table([
        { title: 'Worker', cell: (w) => w.worker },
        { title: 'Core hours', numeric: true, cell: (w) => number(w.coreHours, 3) },
        { title: 'GB hours', numeric: true, cell: (w) => number(w.gbHours, 3) },
        { title: 'Compute', numeric: true, cell: (w) => number(w.compute, 4) },
      ], costs.costs.workers ?? []),
    ] : h('p', { class: 'muted' }, 'No unit prices are configured (WORKER_COST_PER_CORE_HOUR, WORKER_COST_PER_GB_HOUR).')),
  ];
}

/** The cluster: this silo's view, silos by region with their status, latencies between regions, replicas per worker per region. */
export async function clusterPage() {
  const [health, topology] = await Promise.all([get('/health'), get('/api/datacenters/topology')]);
  const silos = [
    ...topology.regions.flatMap((r) => r.silos.map((s) => ({ ...s, region: r.region.id }))),
    ...(topology.unplacedSilos ?? []).map((s) => ({ ...s, region: null })),
  ];
  return [
    h('h1', {}, 'Cluster'),
    section('This silo', facts([
      ['Silo', health.silo], ['Status', badge(health.siloStatus)], ['Active silos', h('span', { id: 'active-silos' }, number(health.activeSilos))],
      ['Region', text(health.region)], ['Zone', text(health.zone)], ['Cluster', health.clusterId],
    ])),
    section('Silos', table([
      { title: 'Silo', cell: (s) => s.address },
      { title: 'Name', cell: (s) => text(s.name) },
      { title: 'Region', cell: (s) => text(s.region) },
      { title: 'Zone', cell: (s) => text(s.zone) },
      { title: 'Status', cell: (s) => badge(s.status) },
    ], silos, { id: 'silos', key: (s) => s.address })),
    section('Regions', table([
      { title: 'Region', cell: (r) => r.region.id },
      { title: 'Name', cell: (r) => text(r.region.name) },
      { title: 'Healthy', cell: (r) => badge(r.healthy ? 'healthy' : 'unhealthy') },
      { title: 'Silos', numeric: true, cell: (r) => number(r.silos.length) },
      { title: 'Replicas', cell: (r) => Object.entries(r.replicas ?? {}).map(([w, n]) => `${w}: ${n}`).join(', ') || '—' },
    ], topology.regions, { id: 'regions' })),
    section('Latency between regions', table([
      { title: 'From', cell: (l) => l.from },
      { title: 'To', cell: (l) => l.to },
      { title: 'Milliseconds', numeric: true, cell: (l) => number(l.milliseconds, 2) },
    ], topology.latencies ?? [], { empty: 'One region: nothing to measure.' })),
  ];
}

/** Schedules: when each fires, its next run, state and counters, its last job; pause, resume, trigger now. */
export async function schedulesPage() {
  const answer = await get('/api/schedules');
  const base = (s) => `/api/schedules/${encodeURIComponent(s.id)}`;
  return [
    h('h1', {}, 'Schedules'),
    table([
      { title: 'Schedule', cell: (s) => s.id },
      { title: 'Queue', cell: (s) => h('a', { href: `#/queues/${encodeURIComponent(s.queue)}` }, s.queue) },
      { title: 'When', cell: (s) => (s.cron ? `cron ${s.cron} (${s.timeZone ?? 'UTC'})` : `every ${number(s.everyMs / 1000, 1)} s`) },
      { title: 'Overlap', cell: (s) => s.overlap },
      { title: 'Next run', cell: (s) => when(s.nextRunAt) },
      { title: 'State', cell: (s) => (s.paused ? [badge('paused'), ' ', text(s.pauseNote)] : badge('active', 'running')) },
      { title: 'Enqueued', numeric: true, cell: (s) => number(s.enqueued) },
      { title: 'Skipped', numeric: true, cell: (s) => number(s.skipped) },
      { title: 'Missed', numeric: true, cell: (s) => number(s.missed) },
      { title: 'Last job', cell: (s) => (s.lastJobId ? h('a', { href: `#/queues/${encodeURIComponent(s.queue)}/jobs/${encodeURIComponent(s.lastJobId)}` }, s.lastJobId) : '—') },
      { title: '', cell: (s) => h('div', { class: 'actions' },
        s.paused
          ? actionButton('Resume', 'operator', `Resume schedule ${s.id} from its next occurrence?`, () => post(base(s) + '/resume'), { id: 'resume-' + s.id })
          : actionButton('Pause', 'operator', `Pause schedule ${s.id}? Occurrences while paused do not run later.`, () => post(base(s) + '/pause', { note: 'paused from the console' }), { id: 'pause-' + s.id }),
        actionButton('Trigger', 'operator', `Enqueue one job of schedule ${s.id} now?`, () => post(base(s) + '/trigger'), { id: 'trigger-' + s.id })) },
    ], answer.schedules ?? [], { id: 'schedules', key: (s) => s.id, empty: 'No schedules: create one with POST /api/schedules or zin schedule:create.' }),
  ];
}
