import { Gauge, Registry } from 'prom-client';
import { REJECT_REASONS } from '../../offload/routing.js';
import type { AgentStatus } from './agent.js';

type Functions = [string, AgentStatus['functions'][string]][];

/** One gauge: its name, help, labels, and how a status snapshot fills it. */
interface GaugeSpec {
  name: string;
  help: string;
  labels: string[];
  fill(
    set: (labels: Record<string, string>, value: number) => void,
    fns: Functions,
    status: AgentStatus,
  ): void;
}

const GAUGES: GaugeSpec[] = [
  {
    name: 'dfaas_node_user_rate',
    help: 'Requests/s from users over the last period',
    labels: ['function'],
    fill: (set, fns) => {
      for (const [fn, f] of fns) set({ function: fn }, f.rates?.user ?? 0);
    },
  },
  {
    name: 'dfaas_node_local_rate',
    help: 'Requests/s served by this node over the last period',
    labels: ['function'],
    fill: (set, fns) => {
      for (const [fn, f] of fns) set({ function: fn }, f.rates?.local ?? 0);
    },
  },
  {
    name: 'dfaas_node_forwarded_rate',
    help: 'User requests/s sent to each peer over the last period',
    labels: ['function', 'peer'],
    fill: (set, fns) => {
      for (const [fn, f] of fns) {
        for (const [peer, r] of Object.entries(f.rates?.forwarded ?? {})) set({ function: fn, peer }, r);
      }
    },
  },
  {
    name: 'dfaas_node_from_peer_rate',
    help: 'Requests/s each peer sent us over the last period',
    labels: ['function', 'peer'],
    fill: (set, fns) => {
      for (const [fn, f] of fns) {
        for (const [peer, r] of Object.entries(f.rates?.fromPeers ?? {})) set({ function: fn, peer }, r);
      }
    },
  },
  {
    name: 'dfaas_node_rejected_rate',
    help: 'Requests/s refused over the last period, by reason (unknown_peer 403, peer_limit 429, no_capacity 503)',
    labels: ['function', 'reason'],
    fill: (set, fns) => {
      for (const [fn, f] of fns) {
        for (const reason of REJECT_REASONS) set({ function: fn, reason }, f.rates?.rejected[reason] ?? 0);
      }
    },
  },
  {
    name: 'dfaas_node_weight',
    help: 'Weighted round-robin weight in force, by target (local or a peer id)',
    labels: ['function', 'target'],
    fill: (set, fns) => {
      for (const [fn, f] of fns) {
        for (const [target, w] of Object.entries(f.route?.weights ?? {})) set({ function: fn, target }, w);
      }
    },
  },
  {
    name: 'dfaas_node_local_limit',
    help: 'Cap on the user requests/s served locally (absent: no cap)',
    labels: ['function'],
    fill: (set, fns) => {
      for (const [fn, f] of fns) {
        if (typeof f.route?.localLimit === 'number') set({ function: fn }, f.route.localLimit);
      }
    },
  },
  {
    name: 'dfaas_node_limit_in',
    help: 'Requests/s each peer may send us',
    labels: ['function', 'peer'],
    fill: (set, fns) => {
      for (const [fn, f] of fns) {
        for (const [peer, l] of Object.entries(f.route?.limitsIn ?? {})) set({ function: fn, peer }, l);
      }
    },
  },
  {
    name: 'dfaas_node_peers',
    help: 'Live neighbours in the table',
    labels: [],
    fill: (set, _fns, s) => set({}, s.peers.length),
  },
  {
    name: 'dfaas_node_messages_dropped',
    help: 'Peer messages dropped since start, by reason',
    labels: ['reason'],
    fill: (set, _fns, s) => {
      for (const [reason, n] of Object.entries(s.messages.dropped)) set({ reason }, n);
    },
  },
  {
    name: 'dfaas_node_agent_periods',
    help: 'Agent periods completed since start',
    labels: [],
    fill: (set, _fns, s) => set({}, s.periods),
  },
];

/** What /metrics needs: the exposition text and its content type. */
export interface NodeMetrics {
  readonly contentType: string;
  metrics(): Promise<string>;
}

/**
 * The node's /metrics: rates over the last period (user, local, forwarded per peer, rejected by
 * reason), the routes in force (weights, local limit, limits-in) and the peer layer's health.
 * Every scrape fills all the gauges from one status snapshot. Every name is in the README ("Metrics").
 */
export function nodeMetrics(status: () => AgentStatus): NodeMetrics {
  const registry = new Registry();
  const gauges = GAUGES.map((spec) => ({
    spec,
    gauge: new Gauge({ name: spec.name, help: spec.help, labelNames: spec.labels, registers: [registry] }),
  }));
  return {
    contentType: registry.contentType,
    metrics() {
      const snapshot = status();
      const fns = Object.entries(snapshot.functions);
      for (const { spec, gauge } of gauges) {
        gauge.reset();
        spec.fill((labels, value) => gauge.set(labels, value), fns, snapshot);
      }
      return registry.metrics();
    },
  };
}
