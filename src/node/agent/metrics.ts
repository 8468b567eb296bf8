import { Gauge, Registry } from 'prom-client';
import { REJECT_REASONS } from '../routing.js';
import type { AgentStatus } from './agent.js';

/**
 * The node's /metrics: rates over the last period (user, local, forwarded per peer, rejected by
 * reason), the routes in force (weights, local limit, limits-in) and the peer layer's health.
 * Values are read from the agent's status at scrape time. Every name is in the README ("Metrics").
 */
export function nodeMetrics(status: () => AgentStatus): Registry {
  const registry = new Registry();
  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    collect: (g: Gauge<L>) => void,
  ) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        collect(this);
      },
    });
  const fns = () => Object.entries(status().functions);

  gauge('dfaas_node_user_rate', 'Requests/s from users over the last period', ['function'], (g) => {
    for (const [fn, f] of fns()) g.set({ function: fn }, f.rates?.user ?? 0);
  });
  gauge('dfaas_node_local_rate', 'Requests/s served by this node over the last period', ['function'], (g) => {
    for (const [fn, f] of fns()) g.set({ function: fn }, f.rates?.local ?? 0);
  });
  gauge(
    'dfaas_node_forwarded_rate',
    'User requests/s sent to each peer over the last period',
    ['function', 'peer'],
    (g) => {
      for (const [fn, f] of fns())
        for (const [peer, r] of Object.entries(f.rates?.forwarded ?? {})) g.set({ function: fn, peer }, r);
    },
  );
  gauge(
    'dfaas_node_from_peer_rate',
    'Requests/s each peer sent us over the last period',
    ['function', 'peer'],
    (g) => {
      for (const [fn, f] of fns())
        for (const [peer, r] of Object.entries(f.rates?.fromPeers ?? {})) g.set({ function: fn, peer }, r);
    },
  );
  gauge(
    'dfaas_node_rejected_rate',
    'Requests/s refused over the last period, by reason (unknown_peer 403, peer_limit 429, no_capacity 503)',
    ['function', 'reason'],
    (g) => {
      for (const [fn, f] of fns())
        for (const reason of REJECT_REASONS) g.set({ function: fn, reason }, f.rates?.rejected[reason] ?? 0);
    },
  );
  gauge(
    'dfaas_node_weight',
    'Weighted round-robin weight in force, by target (local or a peer id)',
    ['function', 'target'],
    (g) => {
      for (const [fn, f] of fns())
        for (const [target, w] of Object.entries(f.route?.weights ?? {})) g.set({ function: fn, target }, w);
    },
  );
  gauge(
    'dfaas_node_local_limit',
    'Cap on the user requests/s served locally (absent: no cap)',
    ['function'],
    (g) => {
      for (const [fn, f] of fns())
        if (typeof f.route?.localLimit === 'number') g.set({ function: fn }, f.route.localLimit);
    },
  );
  gauge('dfaas_node_limit_in', 'Requests/s each peer may send us', ['function', 'peer'], (g) => {
    for (const [fn, f] of fns())
      for (const [peer, l] of Object.entries(f.route?.limitsIn ?? {})) g.set({ function: fn, peer }, l);
  });
  gauge('dfaas_node_peers', 'Live neighbours in the table', [], (g) => g.set(status().peers.length));
  gauge('dfaas_node_messages_dropped', 'Peer messages dropped since start, by reason', ['reason'], (g) => {
    for (const [reason, n] of Object.entries(status().messages.dropped)) g.set({ reason }, n);
  });
  gauge('dfaas_node_agent_periods', 'Agent periods completed since start', [], (g) =>
    g.set(status().periods),
  );
  return registry;
}
