/**
 * Before the peers lane runs anything: every peer must be there. A missing
 * one stops the lane with one line naming the install command — never a
 * silent skip.
 */
import { findPeer, INSTALL_HINT, peerVersion, type PeerName } from '../helpers/peers';

const ALL: PeerName[] = ['chromium', 'nginx', 'apache', 'haproxy', 'caddy'];

export default function checkPeers(): void {
  const missing = ALL.filter((p) => !findPeer(p));
  if (missing.length > 0) {
    const error = new Error(`peers lane: ${missing.join(', ')} not found: ${INSTALL_HINT} (or set KA_CHROMIUM, KA_NGINX, KA_APACHE, KA_HAPROXY, KA_CADDY)`);
    error.stack = error.message; // one line, no stack trace
    throw error;
  }
  // For the results table (scripts/peers-table-reporter.js), which runs in this process.
  process.env.KA_PEER_VERSIONS = ALL.map(peerVersion).join(' · ');
}
